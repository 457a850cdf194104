using Apriel.Api.V1Alpha1;

namespace Apriel.Trainer.Data;

/// <summary>
/// A JSONL source (Text, Chat or ImageText): every record is rendered once to learn its length and stratum, the
/// <see cref="SourceSelection"/> picks the pool, and draws render the pool's records in <see cref="DrawOrder"/>. Image
/// references are relative to the JSONL file's location (or absolute paths, or URIs), fetched through <see cref="InputFiles"/>.
/// </summary>
public sealed class RecordSource : IDocumentSource
{
    private readonly IReadOnlyList<JsonlRecord> records;
    private readonly int[] pool;
    private readonly DrawOrder order;
    private readonly DocumentRenderer renderer;
    private readonly DataFormat format;
    private readonly InputFiles inputs;

    public RecordSource(DataSource spec, InputFiles inputs, DocumentRenderer renderer, long seed)
    {
        if (spec.Format is not (DataFormat.Text or DataFormat.Chat or DataFormat.ImageText))
            throw new ArgumentException($"source {spec.Name}: format {spec.Format} is not a JSONL format");
        Name = spec.Name;
        this.renderer = renderer;
        format = spec.Format;
        this.inputs = inputs;
        records = JsonlFiles.Read(inputs.Files(spec.Uri, JsonlFiles.IsJsonl));
        var lengths = records.Select(r => Render(r).Length).ToArray();
        var strata = records.Select(r => spec.Subset?.StratifyBy is { } field ? JsonlFiles.Field(r.Value, field) : null).ToArray();
        pool = SourceSelection.Select(strata, lengths, spec, seed);
        if (pool.Length == 0) throw new InvalidDataException($"source {spec.Name}: no records left of {records.Count} in {spec.Uri} after subset and length filters");
        Lengths = pool.Select(i => lengths[i]).ToArray();
        order = new DrawOrder(pool.Length, seed, Rng.Key(spec.Name));
    }

    public string Name { get; }

    public int Count => pool.Length;

    /// <summary>Rendered lengths of the pool's records, in pool order.</summary>
    public IReadOnlyList<int> Lengths { get; }

    /// <summary>Indices (in the files' order) of the records in the pool.</summary>
    public IReadOnlyList<int> Pool => pool;

    public Document Get(long draw) => Render(records[pool[order.At(draw)]]);

    private Document Render(JsonlRecord record)
    {
        try
        {
            return renderer.Record(record.Value, format,
                reference => ImageFiles.Reference(inputs.LocalFile(InputLocations.Resolve(reference, record.File)), renderer.Preprocessor));
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
        {
            throw new InvalidDataException($"{record.Where}: {e.Message}", e);
        }
    }
}
