using Apriel.Trainer.Model;
using static TorchSharp.torch;

namespace Apriel.Trainer.Checkpoints;

/// <summary>
/// A directory of safetensors weights as Hugging Face lays it out: one <c>model.safetensors</c>, or shards
/// <c>model-00001-of-0000N.safetensors</c> with <c>model.safetensors.index.json</c> (<c>metadata.total_size</c> and a
/// <c>weight_map</c> from tensor name to shard file).
/// </summary>
public static class CheckpointFiles
{
    public const string SingleFile = "model.safetensors";
    public const string IndexFile = "model.safetensors.index.json";

    /// <summary>The shard size transformers uses by default (5 GB).</summary>
    public const long DefaultMaxShardBytes = 5_000_000_000;

    /// <summary>
    /// Writes <paramref name="tensors"/> (in order) into <paramref name="directory"/>: one file when they fit in
    /// <paramref name="maxShardBytes"/>, else shards that each stay under it (a tensor larger than the limit gets a
    /// shard of its own) plus the index. Returns the files written, index last.
    /// </summary>
    public static IReadOnlyList<string> Save(string directory, IReadOnlyList<KeyValuePair<string, Tensor>> tensors,
        ScalarType? dtype = null, long maxShardBytes = DefaultMaxShardBytes)
    {
        var counts = CheckpointCatalog.PlanShards(tensors.Select(t => SafetensorsWriter.SizeOf(t.Value, dtype)), maxShardBytes);
        Directory.CreateDirectory(directory);

        // Leftovers of an earlier save with a different layout would confuse a reader.
        foreach (var stale in Directory.EnumerateFiles(directory, "model*.safetensors*")) File.Delete(stale);

        var files = new List<string>();
        var weightMap = new List<KeyValuePair<string, string>>();
        var next = 0;
        for (var i = 0; i < counts.Count; i++)
        {
            var shard = tensors.Skip(next).Take(counts[i]).ToList();
            next += counts[i];
            var name = CheckpointCatalog.ShardName(i, counts.Count);
            var path = Path.Combine(directory, name);
            SafetensorsWriter.Write(path, shard, dtype);
            files.Add(path);
            weightMap.AddRange(shard.Select(t => new KeyValuePair<string, string>(t.Key, name)));
        }
        if (counts.Count > 1) files.Add(CheckpointCatalog.WriteIndex(directory, weightMap, tensors.Sum(t => SafetensorsWriter.SizeOf(t.Value, dtype))));
        return files;
    }

    /// <summary>True when <paramref name="directory"/> holds safetensors weights in one of the two layouts.</summary>
    public static bool Exists(string directory) =>
        File.Exists(Path.Combine(directory, IndexFile)) || File.Exists(Path.Combine(directory, SingleFile));
}

/// <summary>
/// The weights of a checkpoint directory, opened lazily: every shard's header is read and checked, names of either
/// Hugging Face generation are mapped to the canonical one (<see cref="HfNames"/>), and a tensor is created over the
/// mapped file only when asked for.
/// </summary>
public sealed class CheckpointReader : IDisposable
{
    private readonly List<SafetensorsFile> files;
    private readonly Dictionary<string, (SafetensorsFile File, SafetensorsEntry Entry)> tensors;

    public string Directory { get; }

    /// <summary>Canonical name → the file and header entry that hold it.</summary>
    public IReadOnlyDictionary<string, (SafetensorsFile File, SafetensorsEntry Entry)> Tensors => tensors;

    private CheckpointReader(string directory, List<SafetensorsFile> files, Dictionary<string, (SafetensorsFile, SafetensorsEntry)> tensors)
    {
        Directory = directory;
        this.files = files;
        this.tensors = tensors;
    }

    /// <summary>Opens the weights in <paramref name="directory"/>; throws <see cref="CheckpointException"/> on the first problem.</summary>
    public static CheckpointReader Open(string directory)
    {
        var indexPath = Path.Combine(directory, CheckpointFiles.IndexFile);
        var singlePath = Path.Combine(directory, CheckpointFiles.SingleFile);
        var files = new List<SafetensorsFile>();
        try
        {
            Dictionary<string, string> placement; // tensor name → the shard file that holds it
            if (File.Exists(indexPath))
            {
                placement = CheckpointCatalog.ParseIndex(indexPath, File.ReadAllText(indexPath));
                foreach (var shard in placement.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
                    files.Add(SafetensorsFile.Open(Path.Combine(directory, shard)));
            }
            else if (File.Exists(singlePath))
            {
                files.Add(SafetensorsFile.Open(singlePath));
                placement = files[0].Tensors.Keys.ToDictionary(x => x, _ => CheckpointFiles.SingleFile, StringComparer.Ordinal);
            }
            else
            {
                throw new CheckpointException(directory, $"no {CheckpointFiles.SingleFile} or {CheckpointFiles.IndexFile}");
            }

            var byFile = files.ToDictionary(f => Path.GetFileName(f.Path), StringComparer.Ordinal);
            var tensors = CheckpointCatalog.Build(placement, byFile.ToDictionary(f => f.Key, f => f.Value.Header, StringComparer.Ordinal),
                    shard => byFile[shard].Path)
                .ToDictionary(t => t.Key, t => (byFile[t.Value.Shard], t.Value.Entry), StringComparer.Ordinal);
            return new CheckpointReader(directory, files, tensors);
        }
        catch
        {
            foreach (var file in files) file.Dispose();
            throw;
        }
    }

    /// <summary>The tensor of that canonical name, over the mapped file (no copy).</summary>
    public Tensor Get(string canonicalName)
    {
        if (!tensors.TryGetValue(canonicalName, out var at)) throw new CheckpointException(Directory, $"no tensor \"{canonicalName}\"");
        return at.File.Get(at.Entry.Name);
    }

    /// <summary>Copies the tensor of that canonical name into <paramref name="destination"/> (see <see cref="SafetensorsFile.ReadInto"/>).</summary>
    public void ReadInto(string canonicalName, Tensor destination)
    {
        if (!tensors.TryGetValue(canonicalName, out var at)) throw new CheckpointException(Directory, $"no tensor \"{canonicalName}\"");
        at.File.ReadInto(at.Entry.Name, destination);
    }

    public void Dispose()
    {
        foreach (var file in files) file.Dispose();
    }
}
