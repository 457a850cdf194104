using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Data.Synthetic;

namespace Apriel.Trainer.Data;

/// <summary>
/// A stage's data: its sources (by format), the mixture, and the packer, from a <see cref="DataSpec"/> whose source URIs
/// are read through <see cref="InputFiles"/>. <see cref="NextRows"/> gives the rows of one global batch; <see cref="Position"/>
/// after it is what a checkpoint saves.
/// </summary>
public sealed class DataPipeline
{
    private readonly DataSpec spec;
    private readonly int padId;
    private DocumentStream stream;
    private Packer packer;

    public DataPipeline(DataSpec spec, InputFiles inputs, DocumentRenderer renderer, long seed, DataPosition? position = null)
    {
        this.spec = spec;
        padId = renderer.Tokenizer.PadId;
        Sources = spec.Sources.Select(s => Open(s, inputs, renderer, seed)).ToList();
        Weights = spec.Sources.Select(s => s.Weight).ToList();
        stream = new DocumentStream(Sources, Weights, position);
        packer = new Packer(stream, spec.SequenceLength, spec.Packing, padId);
    }

    public IReadOnlyList<IDocumentSource> Sources { get; }

    public IReadOnlyList<double> Weights { get; }

    public int SequenceLength => spec.SequenceLength;

    public DataPosition Position => stream.Position;

    /// <summary>Moves the stream to <paramref name="position"/> (from a checkpoint).</summary>
    public void Restore(DataPosition position)
    {
        stream = new DocumentStream(Sources, Weights, position);
        packer = new Packer(stream, spec.SequenceLength, spec.Packing, padId);
    }

    /// <summary>The next <paramref name="count"/> rows.</summary>
    public IReadOnlyList<PackedRow> NextRows(int count) => Enumerable.Range(0, count).Select(_ => packer.Next()).ToList();

    /// <summary>
    /// Rows that <paramref name="epochs"/> passes over the data make: one pass is as many documents as the sources' pools
    /// hold together, drawn by the mixture and packed as in training (a dry run from the start that renders but keeps nothing).
    /// </summary>
    public long RowsForEpochs(double epochs)
    {
        var documents = (long)Math.Ceiling(epochs * Sources.Sum(s => (long)s.Count));
        var dry = new DocumentStream(Sources, Weights);
        var dryPacker = new Packer(dry, spec.SequenceLength, spec.Packing, padId);
        long rows = 0;
        while (dry.Position.Documents < documents)
        {
            dryPacker.Next();
            rows++;
        }
        return rows;
    }

    private static IDocumentSource Open(DataSource source, InputFiles inputs, DocumentRenderer renderer, long seed) =>
        source.Format == DataFormat.SyntheticVisual
            ? new SyntheticSource(source, inputs.LocalDirectory(source.Uri, ImageFiles.IsImage), renderer, seed)
            : new RecordSource(source, inputs, renderer, seed);
}
