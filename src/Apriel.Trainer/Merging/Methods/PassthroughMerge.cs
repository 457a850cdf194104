using static TorchSharp.torch;

namespace Apriel.Trainer.Merging.Methods;

/// <summary>
/// Copies the one source tensor verbatim (the plan decides which model and layer it comes from; see
/// <see cref="LayerSlices"/>). How SOLAR-style depth upscaling (Kim et al., 2023, arXiv 2312.15166) is made.
/// </summary>
public sealed class PassthroughMerge : IMergeMethod
{
    /// <inheritdoc/>
    public bool Elementwise => true;

    /// <inheritdoc/>
    public Tensor Merge(IReadOnlyList<Tensor> models, Tensor? @base) => models[0];
}
