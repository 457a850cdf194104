using static TorchSharp.torch;

namespace Apriel.Trainer.Model;

/// <summary>
/// Rotary position embedding, the Hugging Face "rotate-half" convention: a head vector's two halves
/// (x1 = x[..., :D/2], x2 = x[..., D/2:]) form D/2 pairs (x1[i], x2[i]) rotated by the angle position · f_i, with
/// f_i = θ^(-2i/D). Mistral/Pixtral consolidated checkpoints pair interleaved elements instead; the HF converter permuted
/// q/k weights so that this convention reproduces them (apriel-recipe.md §B.5).
/// </summary>
public static class Rope
{
    /// <summary>The D/2 inverse frequencies θ^(-2i/D), in float32 as transformers computes them.</summary>
    public static float[] InverseFrequencies(int headDim, double theta)
    {
        if (headDim <= 0 || headDim % 2 != 0) throw new ArgumentOutOfRangeException(nameof(headDim), $"must be even and > 0 (is {headDim})");
        var f = new float[headDim / 2];
        for (var i = 0; i < f.Length; i++) f[i] = (float)(1.0 / Math.Pow(theta, 2.0 * i / headDim));
        return f;
    }

    /// <summary>
    /// cos and sin tables for 1D positions: positions [B, T] (int64) → cos, sin [B, T, D], each half the same
    /// (angles = positions ⊗ f, then cat(angles, angles)).
    /// </summary>
    public static (Tensor Cos, Tensor Sin) Tables(Tensor positions, float[] inverseFrequencies, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var f = tensor(inverseFrequencies, device: positions.device);                 // [D/2]
        var angles = positions.to(ScalarType.Float32).unsqueeze(-1) * f;             // [B, T, D/2]
        var full = cat([angles, angles], -1);                                        // [B, T, D]
        return (full.cos().to(dtype).MoveToOuterDisposeScope(), full.sin().to(dtype).MoveToOuterDisposeScope());
    }

    /// <summary>Rotates q or k [B, H, T, D] by cos, sin [B, T, D] (broadcast over heads).</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        var c = cos.unsqueeze(1); // [B, 1, T, D]
        var s = sin.unsqueeze(1);
        return (x * c + RotateHalf(x) * s).MoveToOuterDisposeScope();
    }

    /// <summary>[x1, x2] → [-x2, x1] along the last dimension.</summary>
    public static Tensor RotateHalf(Tensor x)
    {
        var half = x.shape[^1] / 2;
        using var x1 = x[TensorIndex.Ellipsis, TensorIndex.Slice(0, half)];
        using var x2 = x[TensorIndex.Ellipsis, TensorIndex.Slice(half)];
        using var minus = x2.neg();
        return cat([minus, x1], -1);
    }
}
