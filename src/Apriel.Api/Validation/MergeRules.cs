using Apriel.Api.V1Alpha1;

namespace Apriel.Api.Validation;

/// <summary>Rules of a ModelMerge spec beyond its schema.</summary>
internal static class MergeRules
{
    public static void Validate(ModelMergeSpec spec, ErrorList errors)
    {
        var method = spec.Method;
        for (var i = 0; i < spec.Inputs.Count; i++)
            ValidateInput(spec.Inputs[i], method, errors.At("inputs").At($"[{i}]"));

        if (spec.Base != null) ResourceValidator.ValidateSource(spec.Base, errors.At("base"));
        if (method is MergeMethod.TaskArithmetic or MergeMethod.Ties && spec.Base == null)
            errors.Add("base", $"is required by {method}", "set base to the model the task vectors are taken against");
        if (method is not (MergeMethod.TaskArithmetic or MergeMethod.Ties) && spec.Base != null)
            errors.Add("base", $"is not used by {method}", "remove base, or use TaskArithmetic or Ties");

        if (method == MergeMethod.Slerp && spec.Inputs.Count != 2)
            errors.Add("inputs", $"has {spec.Inputs.Count} inputs", "Slerp merges exactly two models");

        var weighted = spec.Inputs.Count(x => x.Weight != null);
        if (weighted != 0 && weighted != spec.Inputs.Count)
            errors.Add("inputs", $"{weighted} of {spec.Inputs.Count} inputs set a weight", "set weight on every input or on none (uniform)");
        if (weighted == spec.Inputs.Count && spec.Parameters.Normalize && spec.Inputs.Sum(x => x.Weight!.Value) == 0)
            errors.Add("inputs", "weights sum to 0", "give at least one input a positive weight");
        if (method is MergeMethod.Passthrough or MergeMethod.Slerp && weighted > 0)
            errors.Add("inputs", $"set weights, which {method} does not use", "remove the weights");
    }

    static void ValidateInput(MergeInput input, MergeMethod method, ErrorList errors)
    {
        ResourceValidator.ValidateSource(input, errors);
        if (input.Init != null)
            errors.Add("init", "a randomly initialised model cannot be merged", "merge trained models: use stage, merge or uri");
        if (method == MergeMethod.Passthrough && input.Layers == null)
            errors.Add("layers", "is required by Passthrough", "give each input the slice it contributes, e.g. {start: 0, end: 24}");
        if (method != MergeMethod.Passthrough && input.Layers != null)
            errors.Add("layers", $"is not used by {method}", "remove layers, or use Passthrough");
        if (input.Layers is { } layers && layers.Start >= layers.End)
            errors.Add("layers", $"[{layers.Start}, {layers.End}) is empty", "make start less than end (the range is half-open)");

        if (input.Checkpoints is not { } selector) return;
        if (input.Stage == null)
            errors.Add("checkpoints", "selects checkpoints of something that is not a stage", "use checkpoints only with stage; merges and URIs have one model");
        var needsCount = selector.Select is CheckpointSelection.Equispaced or CheckpointSelection.Last;
        if (needsCount && selector.Count == null)
            errors.Add("checkpoints.count", $"is required by select {selector.Select}", "say how many checkpoints to take");
        if (!needsCount && selector.Count != null)
            errors.Add("checkpoints.count", $"is not used by select {selector.Select}", "remove count");
        if (method is MergeMethod.Passthrough or MergeMethod.Slerp && selector.Select != CheckpointSelection.Final)
            errors.Add("checkpoints.select", $"{selector.Select} gives several models, but {method} takes each input as one model",
                "select Final");
    }
}
