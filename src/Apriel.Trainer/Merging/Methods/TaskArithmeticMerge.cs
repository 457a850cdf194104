using static TorchSharp.torch;

namespace Apriel.Trainer.Merging.Methods;

/// <summary>base + λ·Σ wᵢ·(mᵢ − base): task vectors added to a base (Ilharco et al., 2023, arXiv 2212.04089).</summary>
public sealed class TaskArithmeticMerge(IReadOnlyList<double> weights, double lambda) : IMergeMethod
{
    /// <inheritdoc/>
    public bool Elementwise => true;

    /// <inheritdoc/>
    public Tensor Merge(IReadOnlyList<Tensor> models, Tensor? @base)
    {
        ArgumentNullException.ThrowIfNull(@base);
        var origin = @base.to(ScalarType.Float32);
        var delta = zeros_like(origin);
        for (var i = 0; i < models.Count; i++) delta.add_(models[i].sub(origin), weights[i]);
        return origin + delta.mul_(lambda);
    }
}
