using static TorchSharp.torch;

namespace Apriel.Trainer.Model;

/// <summary>
/// What every attention layer of one forward pass shares: the rotary tables cos, sin [B, T, D] and either a boolean
/// mask [B, 1, T, T] (true = may attend) or, when it is null, plain causal (decoder) or full (vision) attention.
/// </summary>
public sealed record AttentionContext(Tensor Cos, Tensor Sin, Tensor? Mask, bool Causal);
