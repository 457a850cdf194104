using TorchSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Merging.Methods;

/// <summary>
/// Spherical linear interpolation between two models, tensor by tensor (Shoemake, 1985): the angle θ between the
/// flattened tensors, then sin((1−t)θ)/sin θ · a + sin(tθ)/sin θ · b. Nearly parallel tensors (|cos θ| above
/// <see cref="ParallelThreshold"/>) and zero tensors have no usable angle and are interpolated linearly instead.
/// t = 0 gives the first model, t = 1 the second.
/// </summary>
public sealed class SlerpMerge(double t) : IMergeMethod
{
    /// <summary>|cos θ| above this (θ below about 1.8°) falls back to linear interpolation (mergekit's threshold).</summary>
    public const double ParallelThreshold = 0.9995;

    /// <inheritdoc/>
    public bool Elementwise => false;

    /// <inheritdoc/>
    public Tensor Merge(IReadOnlyList<Tensor> models, Tensor? @base)
    {
        var (a, b) = (models[0].to(ScalarType.Float32), models[1].to(ScalarType.Float32));
        var normA = a.norm().ToDouble();
        var normB = b.norm().ToDouble();
        var cos = normA == 0 || normB == 0 ? 1 : Math.Clamp(a.flatten().dot(b.flatten()).ToDouble() / (normA * normB), -1, 1);
        if (Math.Abs(cos) > ParallelThreshold) return a.mul(1 - t).add_(b, t);
        var theta = Math.Acos(cos);
        var sin = Math.Sin(theta);
        return a.mul(Math.Sin((1 - t) * theta) / sin).add_(b, Math.Sin(t * theta) / sin);
    }
}
