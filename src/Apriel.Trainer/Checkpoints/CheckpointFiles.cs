using System.Text.Json;
using System.Text.Json.Nodes;
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
        if (maxShardBytes <= 0) throw new ArgumentOutOfRangeException(nameof(maxShardBytes), "must be > 0");
        Directory.CreateDirectory(directory);
        var shards = new List<List<KeyValuePair<string, Tensor>>>();
        long current = 0, total = 0;
        foreach (var pair in tensors)
        {
            var size = SafetensorsWriter.SizeOf(pair.Value, dtype);
            if (shards.Count == 0 || (current + size > maxShardBytes && shards[^1].Count > 0))
            {
                shards.Add([]);
                current = 0;
            }
            shards[^1].Add(pair);
            current += size;
            total += size;
        }
        if (shards.Count == 0) shards.Add([]);

        // Leftovers of an earlier save with a different layout would confuse a reader.
        foreach (var stale in Directory.EnumerateFiles(directory, "model*.safetensors*")) File.Delete(stale);

        var files = new List<string>();
        if (shards.Count == 1)
        {
            var path = Path.Combine(directory, SingleFile);
            SafetensorsWriter.Write(path, shards[0], dtype);
            files.Add(path);
            return files;
        }
        var weightMap = new JsonObject();
        for (var i = 0; i < shards.Count; i++)
        {
            var name = $"model-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
            var path = Path.Combine(directory, name);
            SafetensorsWriter.Write(path, shards[i], dtype);
            files.Add(path);
            foreach (var (tensor, _) in shards[i]) weightMap[tensor] = name;
        }
        var index = new JsonObject
        {
            ["metadata"] = new JsonObject { ["total_size"] = total },
            ["weight_map"] = weightMap,
        };
        var indexPath = Path.Combine(directory, IndexFile);
        File.WriteAllText(indexPath, index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        files.Add(indexPath);
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
            Dictionary<string, string> placement; // file name → where the index says it is (file name), or null
            if (File.Exists(indexPath))
            {
                placement = ReadIndex(indexPath);
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
            var tensors = new Dictionary<string, (SafetensorsFile, SafetensorsEntry)>(StringComparer.Ordinal);
            foreach (var (name, shard) in placement)
            {
                var file = byFile[shard];
                if (!file.Tensors.TryGetValue(name, out var entry))
                    throw new CheckpointException(file.Path, $"the index places tensor \"{name}\" in this file, which does not hold it");
                if (!tensors.TryAdd(HfNames.ToCanonical(name), (file, entry)))
                    throw new CheckpointException(file.Path, $"tensor \"{name}\" appears twice (under both Hugging Face naming generations?)");
            }
            foreach (var file in files)
            {
                var stray = file.Tensors.Keys.FirstOrDefault(name => !placement.ContainsKey(name));
                if (stray is not null) throw new CheckpointException(file.Path, $"tensor \"{stray}\" is in this file but not in {CheckpointFiles.IndexFile}");
            }
            return new CheckpointReader(directory, files, tensors);
        }
        catch
        {
            foreach (var file in files) file.Dispose();
            throw;
        }
    }

    private static Dictionary<string, string> ReadIndex(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new CheckpointException(path, $"corrupt: not valid JSON ({e.Message})");
        }
        if (root?["weight_map"] is not JsonObject map) throw new CheckpointException(path, "corrupt: no weight_map object");
        var placement = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in map)
        {
            if (value is not JsonValue v || !v.TryGetValue<string>(out var file) || file.Length == 0)
                throw new CheckpointException(path, $"corrupt: weight_map[\"{name}\"] is not a file name");
            if (file != Path.GetFileName(file) || file is "." or "..")
                throw new CheckpointException(path, $"weight_map[\"{name}\"] = \"{file}\" is not a file name in this directory");
            placement[name] = file;
        }
        return placement;
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
