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
        // Adding a bf16 tensor into a float32 sum converts it on the fly: no float32 copy of each input. The first is
        // copied (never scaled in place: a float32 input would be changed).
        var sum = models[0].to(ScalarType.Float32, copy: true).mul_(weights[0]);
        for (var i = 1; i < models.Count; i++) sum.add_(models[i], weights[i]);
        return sum;
    }
}
