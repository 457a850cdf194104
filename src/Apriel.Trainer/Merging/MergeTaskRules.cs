using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;

namespace Apriel.Trainer.Merging;

/// <summary>
/// What a MergeTask must hold for its method, checked before any input is opened: the resolved counterpart of the
/// API's merge rules, over the expanded inputs (a stage's K checkpoints are K inputs here).
/// </summary>
public static class MergeTaskRules
{
    /// <summary>The first problem as "field: reason", or null.</summary>
    public static string? Problem(MergeTask task)
    {
        var method = task.Spec.Method;
        var inputs = task.Inputs;
        if (inputs.Count == 0) return "inputs: is empty; a merge needs at least one input";
        if (method == MergeMethod.Slerp && inputs.Count != 2) return $"inputs: has {inputs.Count} entries; Slerp merges exactly two models";
        var needsBase = method is MergeMethod.TaskArithmetic or MergeMethod.Ties;
        if (needsBase && task.Base is null) return $"base: is required by {method}";
        if (!needsBase && task.Base is not null) return $"base: is not used by {method}";
        var parameters = task.Spec.Parameters;
        if (!(parameters.T is >= 0 and <= 1)) return $"parameters.t: {parameters.T} is outside [0, 1]";
        if (!(parameters.Density is > 0 and <= 1)) return $"parameters.density: {parameters.Density} is outside (0, 1]";
        if (!(parameters.Lambda >= 0 && double.IsFinite(parameters.Lambda))) return $"parameters.lambda: {parameters.Lambda} is not a finite number >= 0";
        for (var i = 0; i < inputs.Count; i++)
        {
            if (method == MergeMethod.Passthrough && inputs[i].Layers is null) return $"inputs[{i}].layers: is required by Passthrough";
            if (method != MergeMethod.Passthrough && inputs[i].Layers is not null) return $"inputs[{i}].layers: is not used by {method}";
            if (method is MergeMethod.Passthrough or MergeMethod.Slerp && inputs[i].Weight is not null) return $"inputs[{i}].weight: is not used by {method}";
        }
        return null;
    }
}
