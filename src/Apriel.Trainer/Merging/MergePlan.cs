using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Model;
using static TorchSharp.torch;

namespace Apriel.Trainer.Merging;

/// <summary>A tensor a merge reads: the index of the opened input (task inputs in order, then the base) and its canonical name.</summary>
public sealed record SourceTensor(int Input, string Name);

/// <summary>One tensor of the merged model: its name and shape, and the tensors of the models (and the base) it is computed from.</summary>
public sealed record PlannedTensor(string Name, IReadOnlyList<long> Shape, IReadOnlyList<SourceTensor> Models, SourceTensor? Base);

/// <summary>The merged model: its configuration, its tensors in the order they are written, and their element type.</summary>
public sealed record MergePlan(ModelConfig Config, IReadOnlyList<PlannedTensor> Tensors, ScalarType Type);

/// <summary>
/// Decides what a merge writes, from the task and the inputs' configurations alone: the output configuration (the
/// first input's; for Passthrough with the stacked depth), and for each output tensor, in the model's canonical order
/// (<see cref="TensorTable"/>), which input tensors it comes from.
/// </summary>
public static class MergePlanner
{
    /// <param name="task">The task (its inputs and base are already checked by <see cref="MergeTaskRules"/>).</param>
    /// <param name="configs">The configuration of each task input, in order (the base's is not needed).</param>
    /// <param name="labels">How messages name each task input.</param>
    public static MergePlan Plan(MergeTask task, IReadOnlyList<ModelConfig> configs, IReadOnlyList<string> labels)
    {
        var (type, typeName) = task.Spec.DType switch
        {
            DType.BF16 => (ScalarType.BFloat16, "bfloat16"),
            DType.FP16 => (ScalarType.Float16, "float16"),
            _ => (ScalarType.Float32, "float32"),
        };
        var first = configs[0] with { TorchDtype = typeName };
        if (task.Spec.Method != MergeMethod.Passthrough)
        {
            var inputs = task.Inputs.Count;
            var tensors = TensorTable.For(first).Select(spec => new PlannedTensor(spec.Name, spec.Shape,
                [.. Enumerable.Range(0, inputs).Select(i => new SourceTensor(i, spec.Name))],
                task.Base is null ? null : new SourceTensor(inputs, spec.Name)));
            return new MergePlan(first, [.. tensors], type);
        }

        var slices = task.Inputs.Select(i => i.Layers!).ToList();
        if (LayerSlices.Problem(slices, [.. configs.Select(c => c.Text.NumHiddenLayers)], labels) is { } problem) throw new MergeInputException(problem);
        var map = LayerSlices.Map(slices);
        var stacked = first with { Text = first.Text with { NumHiddenLayers = map.Count } };
        // Layer tensors come from the slice that holds the new layer; everything else from the first input.
        SourceTensor Source(string name) => LayerSlices.Parse(name) is { } at
            ? new SourceTensor(map[at.Layer].Input, LayerSlices.Name(map[at.Layer].Layer, at.Kind))
            : new SourceTensor(0, name);
        return new MergePlan(stacked, [.. TensorTable.For(stacked).Select(spec => new PlannedTensor(spec.Name, spec.Shape, [Source(spec.Name)], null))], type);
    }
}
