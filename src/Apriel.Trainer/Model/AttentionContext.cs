using static TorchSharp.torch;

namespace Apriel.Trainer.Model;

/// <summary>
/// What every attention layer of one forward pass shares: the rotary tables cos, sin [B, T, D] and either a boolean
/// mask [B or 1, 1, T, keys] (true = may attend) or, when it is null, plain causal (decoder) or full (vision) attention.
/// With a <see cref="KeyValueCache"/>, layer <see cref="Layer"/> appends its keys and values to it and attends to all of them.
/// </summary>
public sealed record AttentionContext(Tensor Cos, Tensor Sin, Tensor? Mask, bool Causal)
{
    public KeyValueCache? Cache { get; init; }

    public int Layer { get; init; }
}
