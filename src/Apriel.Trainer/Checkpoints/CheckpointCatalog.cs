using System.Text.Json;
using System.Text.Json.Nodes;
using Apriel.Trainer.Model;

namespace Apriel.Trainer.Checkpoints;

/// <summary>
/// The pure part of reading a checkpoint directory's layout, shared by <see cref="CheckpointReader"/> (local files) and
/// the merge engine (files in an artifact store): the index's weight map, and the catalogue of canonical tensor names
/// built from where the index places each tensor and what each shard's header holds.
/// </summary>
public static class CheckpointCatalog
{
    /// <summary>Parses the text of <c>model.safetensors.index.json</c> read from <paramref name="path"/>: tensor name → shard file name.</summary>
    public static Dictionary<string, string> ParseIndex(string path, string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
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

    /// <summary>
    /// Canonical name (<see cref="HfNames"/>) → the shard and header entry that hold it. Every placed tensor must be in
    /// its shard, every shard tensor must be placed, and no tensor may appear under both naming generations.
    /// </summary>
    /// <param name="placement">Tensor name → shard file name (the index's weight map, or every tensor of the single file).</param>
    /// <param name="headers">Shard file name → its header; one per shard the placement names.</param>
    /// <param name="pathOf">Shard file name → how messages name it.</param>
    public static Dictionary<string, (string Shard, SafetensorsEntry Entry)> Build(IReadOnlyDictionary<string, string> placement,
        IReadOnlyDictionary<string, SafetensorsHeader> headers, Func<string, string> pathOf)
    {
        var tensors = new Dictionary<string, (string, SafetensorsEntry)>(StringComparer.Ordinal);
        foreach (var (name, shard) in placement)
        {
            if (!headers[shard].Tensors.TryGetValue(name, out var entry))
                throw new CheckpointException(pathOf(shard), $"the index places tensor \"{name}\" in this file, which does not hold it");
            if (!tensors.TryAdd(HfNames.ToCanonical(name), (shard, entry)))
                throw new CheckpointException(pathOf(shard), $"tensor \"{name}\" appears twice (under both Hugging Face naming generations?)");
        }
        foreach (var (shard, header) in headers)
        {
            var stray = header.Tensors.Keys.FirstOrDefault(name => !placement.ContainsKey(name));
            if (stray is not null) throw new CheckpointException(pathOf(shard), $"tensor \"{stray}\" is in this file but not in {CheckpointFiles.IndexFile}");
        }
        return tensors;
    }

    /// <summary>
    /// Which tensors go to which shard, in order: all in one when they fit in <paramref name="maxShardBytes"/>, else
    /// consecutive groups that each stay under it (a tensor larger than the limit gets a shard of its own).
    /// </summary>
    /// <returns>The number of tensors in each shard, in order (at least one shard, possibly empty).</returns>
    public static IReadOnlyList<int> PlanShards(IEnumerable<long> sizes, long maxShardBytes)
    {
        if (maxShardBytes <= 0) throw new ArgumentOutOfRangeException(nameof(maxShardBytes), "must be > 0");
        var counts = new List<int>();
        long current = 0;
        foreach (var size in sizes)
        {
            if (counts.Count == 0 || (current + size > maxShardBytes && counts[^1] > 0))
            {
                counts.Add(0);
                current = 0;
            }
            counts[^1]++;
            current += size;
        }
        if (counts.Count == 0) counts.Add(0);
        return counts;
    }

    /// <summary>The file name of shard <paramref name="index"/> (0-based) of <paramref name="count"/>, as transformers names them.</summary>
    public static string ShardName(int index, int count) =>
        count == 1 ? CheckpointFiles.SingleFile : $"model-{index + 1:D5}-of-{count:D5}.safetensors";

    /// <summary>Writes <c>model.safetensors.index.json</c> (<c>metadata.total_size</c> and the weight map) into <paramref name="directory"/>.</summary>
    public static string WriteIndex(string directory, IEnumerable<KeyValuePair<string, string>> weightMap, long totalSize)
    {
        var map = new JsonObject();
        foreach (var (tensor, shard) in weightMap) map[tensor] = shard;
        var index = new JsonObject
        {
            ["metadata"] = new JsonObject { ["total_size"] = totalSize },
            ["weight_map"] = map,
        };
        var path = Path.Combine(directory, CheckpointFiles.IndexFile);
        File.WriteAllText(path, index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return path;
    }
}
