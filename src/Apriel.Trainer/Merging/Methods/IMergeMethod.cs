using static TorchSharp.torch;

namespace Apriel.Trainer.Merging.Methods;

/// <summary>
/// A merge method as pure tensor math: one output tensor from the same tensor of every model (and of the base, for
/// methods that take task vectors against one). Inputs are of one shape, in their stored type (bf16, fp16 or fp32);
/// arithmetic is float32, and so is the result of any arithmetic. No I/O.
/// </summary>
public interface IMergeMethod
{
    /// <summary>
    /// True when each output element depends only on the same element of the inputs: the engine may then feed any flat
    /// slice of a tensor, which bounds memory by the slice, not by the tensor.
    /// </summary>
    bool Elementwise { get; }

    /// <summary>Merges one tensor of <paramref name="models"/> (in input order); <paramref name="base"/> is null unless the method uses one.</summary>
    Tensor Merge(IReadOnlyList<Tensor> models, Tensor? @base);
}
