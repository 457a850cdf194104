using System.Text;
using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;
using Apriel.Trainer.Checkpoints;
using Apriel.Trainer.Model;
using Apriel.Trainer.Tokenization;

namespace Apriel.Trainer.Merging;

/// <summary>
/// A committed model directory opened for merging, from a local directory or S3: its manifest (which must exist and
/// match the pinned digest), its <c>config.json</c> (verified), its weight layout (index and every shard header, read
/// through <see cref="VerifiedFile"/>s, which later verify every shard in full) checked against the configuration,
/// and its tokenizer files as the manifest records them. Nothing else is read until a tensor is.
/// </summary>
public sealed class ModelInput : IDisposable
{
    readonly ArtifactReader reader;
    readonly CommittedArtifact artifact;
    readonly Dictionary<string, VerifiedFile> shards;
    readonly Dictionary<string, long> dataStarts;

    ModelInput(string label, ArtifactReader reader, CommittedArtifact artifact, ModelConfig config,
        Dictionary<string, VerifiedFile> shards, Dictionary<string, long> dataStarts, Dictionary<string, (string Shard, SafetensorsEntry Entry)> tensors)
    {
        Label = label;
        this.reader = reader;
        this.artifact = artifact;
        this.shards = shards;
        this.dataStarts = dataStarts;
        Config = config;
        Tensors = tensors;
    }

    /// <summary>How messages name it: role and URI.</summary>
    public string Label { get; }

    /// <summary>Its configuration.</summary>
    public ModelConfig Config { get; }

    /// <summary>Canonical tensor name → the shard that holds it and its header entry.</summary>
    public IReadOnlyDictionary<string, (string Shard, SafetensorsEntry Entry)> Tensors { get; }

    /// <summary>What the agreement check compares.</summary>
    public InputSummary Summary() => new(Label, Config, Tensors.ToDictionary(t => t.Key, t => t.Value.Entry, StringComparer.Ordinal),
        artifact.Manifest.Files.Where(f => TokenizerFiles.Names.Contains(f.Path)).ToDictionary(f => f.Path, f => f.Sha256, StringComparer.Ordinal));

    /// <summary>Tokenizer files (<see cref="TokenizerFiles.Names"/>) it has.</summary>
    public IEnumerable<string> TokenizerFilePaths => artifact.Manifest.Files.Select(f => f.Path).Where(TokenizerFiles.Names.Contains);

    /// <summary>The shard holding tensor <paramref name="name"/>, and the offset of the tensor's first byte in it.</summary>
    public (VerifiedFile File, long Offset, SafetensorsEntry Entry) Locate(string name)
    {
        if (!Tensors.TryGetValue(name, out var at)) throw new MergeInputException($"{Label}: has no tensor \"{name}\"");
        return (shards[at.Shard], dataStarts[at.Shard] + at.Entry.Begin, at.Entry);
    }

    /// <summary>Verifies every shard in full (see <see cref="VerifiedFile.Finish"/>).</summary>
    public void VerifyShards()
    {
        foreach (var shard in shards.Values) shard.Finish();
    }

    /// <summary>Copies one of its files to <paramref name="target"/>, verified against the manifest.</summary>
    public void CopyFile(string path, string target)
    {
        using var source = reader.OpenFileAsync(artifact, path).GetAwaiter().GetResult();
        using var sink = File.Create(target);
        source.CopyTo(sink);
    }

    /// <summary>How messages name an input: its role and URI.</summary>
    public static string LabelOf(ResolvedInput input) => $"{input.Role} ({input.Uri})";

    /// <summary>Opens and checks the input <paramref name="input"/>; throws <see cref="MergeInputException"/> naming it on the first problem.</summary>
    public static ModelInput Open(ArtifactStoreCache stores, ResolvedInput input)
    {
        var label = LabelOf(input);
        var (store, key) = stores.Locate(input.Uri);
        var directory = ArtifactKeys.AsDirectory(key);
        var reader = new ArtifactReader(store);
        CommittedArtifact artifact;
        try
        {
            artifact = reader.ReadManifestAsync(directory, input.Digest).GetAwaiter().GetResult();
        }
        catch (ArtifactNotFoundException)
        {
            throw new MergeInputException($"{label}: not a committed model (no {ArtifactLayout.Manifest})");
        }
        var files = artifact.Manifest.Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        string Text(string path)
        {
            if (!files.ContainsKey(path)) throw new MergeInputException($"{label}: its {ArtifactLayout.Manifest} lists no {path}");
            using var stream = reader.OpenFileAsync(artifact, path).GetAwaiter().GetResult();
            using var text = new StreamReader(stream, Encoding.UTF8);
            return text.ReadToEnd();
        }

        var config = ModelConfig.FromJson(Text(ModelConfig.FileName), $"{label}: {ModelConfig.FileName}");
        var placement = files.ContainsKey(CheckpointFiles.IndexFile)
            ? CheckpointCatalog.ParseIndex($"{label}: {CheckpointFiles.IndexFile}", Text(CheckpointFiles.IndexFile))
            : null;
        var shardNames = placement?.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList() ?? [CheckpointFiles.SingleFile];
        var shards = new Dictionary<string, VerifiedFile>(StringComparer.Ordinal);
        try
        {
            var headers = new Dictionary<string, SafetensorsHeader>(StringComparer.Ordinal);
            foreach (var name in shardNames)
            {
                if (!files.TryGetValue(name, out var entry)) throw new MergeInputException($"{label}: its {ArtifactLayout.Manifest} lists no {name}");
                var shard = shards[name] = new VerifiedFile(store, directory + name, entry);
                headers[name] = SafetensorsHeader.Read($"{label}: {name}", shard.Size, shard.Read);
            }
            placement ??= headers[CheckpointFiles.SingleFile].Tensors.Keys.ToDictionary(n => n, _ => CheckpointFiles.SingleFile, StringComparer.Ordinal);
            var tensors = CheckpointCatalog.Build(placement, headers, shard => $"{label}: {shard}");
            ModelCheckpoint.Check(label, tensors.ToDictionary(t => t.Key, t => ($"{label}: {t.Value.Shard}", t.Value.Entry), StringComparer.Ordinal), config);
            return new ModelInput(label, reader, artifact, config, shards, headers.ToDictionary(h => h.Key, h => h.Value.DataStart, StringComparer.Ordinal), tensors);
        }
        catch
        {
            foreach (var shard in shards.Values) shard.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var shard in shards.Values) shard.Dispose();
    }
}
