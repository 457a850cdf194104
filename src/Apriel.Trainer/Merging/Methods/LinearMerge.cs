using static TorchSharp.torch;

namespace Apriel.Trainer.Merging.Methods;

/// <summary>Σ wᵢ·mᵢ: checkpoint averaging and model soups (Wortsman et al., 2022, arXiv 2203.05482).</summary>
public sealed class LinearMerge(IReadOnlyList<double> weights) : IMergeMethod
{
    /// <inheritdoc/>
    public bool Elementwise => true;

    /// <inheritdoc/>
    public Tensor Merge(IReadOnlyList<Tensor> models, Tensor? @base)
    {
        var sum = models[0].mul(weights[0]);
        for (var i = 1; i < models.Count; i++) sum.add_(models[i], weights[i]);
        return sum;
    }
}
