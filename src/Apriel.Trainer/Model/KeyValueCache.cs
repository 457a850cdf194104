using static TorchSharp.torch;

namespace Apriel.Trainer.Model;

/// <summary>
/// The decoder's keys and values of the tokens seen so far, one pair per layer, so that generation runs each new token
/// once instead of the whole sequence again. Keys are stored rotated (RoPE applied at their own positions) and before
/// the GQA repeat: [B, KV, T, D]. One sequence's cache: no packed documents. Owns its tensors; dispose it. A forward
/// that fails partway leaves some layers longer than others: discard the cache then. Appending concatenates (a copy of
/// the cache per token), which is simple and fine for evaluation-length outputs; long generations want it preallocated.
/// </summary>
public sealed class KeyValueCache(int layers) : IDisposable
{
    private readonly (Tensor Keys, Tensor Values)?[] entries = new (Tensor, Tensor)?[layers];

    /// <summary>Decoder layers it holds keys and values for.</summary>
    public int Layers => entries.Length;

    /// <summary>Tokens cached: the position the next token takes.</summary>
    public long Length => entries[^1]?.Keys.shape[2] ?? 0;

    /// <summary>
    /// Appends a layer's new keys and values [B, KV, T, D] and returns all of that layer's so far, [B, KV, past + T, D].
    /// The returned tensors belong to the cache.
    /// </summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        var all = entries[layer] is var (pastKeys, pastValues)
            ? (cat([pastKeys, keys], 2), cat([pastValues, values], 2))
            : (keys.alias(), values.alias());
        all.Item1.DetachFromDisposeScope();
        all.Item2.DetachFromDisposeScope();
        Dispose(layer);
        entries[layer] = all;
        return all;
    }

    /// <summary>
    /// Causal attention for <paramref name="count"/> new tokens after <paramref name="past"/> cached ones: [1, 1, count,
    /// past + count] bool, new token i may read keys 0..past + i.
    /// </summary>
    public static Tensor CausalMask(long past, long count, Device device)
    {
        using var scope = NewDisposeScope();
        var keys = arange(past + count, ScalarType.Int64, device);                            // [past + T]
        var last = arange(past, past + count, ScalarType.Int64, device).unsqueeze(1);         // [T, 1]
        return (keys <= last).view(1, 1, count, past + count).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        for (var layer = 0; layer < entries.Length; layer++) Dispose(layer);
    }

    private void Dispose(int layer)
    {
        if (entries[layer] is not var (keys, values)) return;
        keys.Dispose();
        values.Dispose();
        entries[layer] = null;
    }
}
