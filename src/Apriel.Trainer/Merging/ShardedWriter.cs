using Apriel.Trainer.Checkpoints;
using static TorchSharp.torch;

namespace Apriel.Trainer.Merging;

/// <summary>
/// Writes a model's safetensors as its tensors are computed, slice by slice, without holding them: the shards are
/// planned up front from the known shapes (<see cref="CheckpointCatalog.PlanShards"/>), so each shard's header is
/// written first and the values are appended in order. <see cref="Finish"/> checks every byte arrived and writes the
/// index when there are several shards.
/// </summary>
public sealed class ShardedWriter : IDisposable
{
    readonly string directory;
    readonly IReadOnlyList<TensorLayout> tensors;
    readonly IReadOnlyList<int> counts;
    readonly List<string> files = [];
    readonly List<KeyValuePair<string, string>> weightMap = [];
    FileStream? stream;
    int shard = -1;     // the open shard
    int tensor = -1;    // the tensor being written
    int endOfShard;     // index of the first tensor of the next shard
    long remaining;     // bytes the current tensor still needs

    public ShardedWriter(string directory, IReadOnlyList<TensorLayout> tensors, long maxShardBytes)
    {
        this.directory = directory;
        this.tensors = tensors;
        counts = CheckpointCatalog.PlanShards(tensors.Select(t => t.Bytes), maxShardBytes);
        Directory.CreateDirectory(directory);
        Advance();
    }

    /// <summary>Appends the next values (in order) of the tensors, converted to their planned type.</summary>
    public void Append(Tensor values)
    {
        using var scope = NewDisposeScope();
        var layout = tensors[tensor];
        var bytes = values.to(layout.Type).contiguous();
        var length = bytes.NumberOfElements * bytes.ElementSize;
        if (length > remaining) throw new InvalidOperationException($"{layout.Name}: {length} bytes given, {remaining} expected");
        foreach (var (address, size) in NativeTensors.Chunks(bytes)) stream!.Write(NativeTensors.Span(address, size));
        remaining -= length;
        if (remaining == 0) Advance();
    }

    /// <summary>Closes the last shard and writes the index; returns the files written.</summary>
    public IReadOnlyList<string> Finish()
    {
        if (tensor < tensors.Count) throw new InvalidOperationException($"{tensors[tensor].Name}: still needs {remaining} bytes");
        CloseShard();
        if (counts.Count > 1) files.Add(CheckpointCatalog.WriteIndex(directory, weightMap, tensors.Sum(t => t.Bytes)));
        return files;
    }

    // Moves to the next tensor that has bytes to write, opening its shard when it starts one.
    void Advance()
    {
        do
        {
            tensor++;
            while (tensor == endOfShard && shard + 1 < counts.Count) OpenShard();
            remaining = tensor < tensors.Count ? tensors[tensor].Bytes : 0;
        }
        while (remaining == 0 && tensor < tensors.Count);
    }

    void OpenShard()
    {
        CloseShard();
        shard++;
        var first = endOfShard;
        endOfShard += counts[shard];
        var name = CheckpointCatalog.ShardName(shard, counts.Count);
        var layouts = tensors.Skip(first).Take(counts[shard]).ToList();
        weightMap.AddRange(layouts.Select(t => new KeyValuePair<string, string>(t.Name, name)));
        var path = Path.Combine(directory, name);
        files.Add(path);
        stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        stream.Write(SafetensorsWriter.Header(layouts));
    }

    void CloseShard()
    {
        stream?.Dispose();
        stream = null;
    }

    /// <inheritdoc/>
    public void Dispose() => CloseShard();
}
