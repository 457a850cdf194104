using Apriel.Api.V1Alpha1;

namespace Apriel.Api.Runs;

/// <summary>Builds task files from resources and their resolved inputs: the decisions the operator and the local runner share.</summary>
public static class TaskBuilder
{
    /// <summary>
    /// The task of a stage whose model input has been resolved (null only for <c>model.init</c>), with data and evaluation URIs
    /// made absolute against <paramref name="storeRoot"/> and the output under the run's directory.
    /// </summary>
    public static TrainingTask ForStage(TrainingStage stage, ResolvedInput? model, string storeRoot)
    {
        if ((model == null) != (stage.Spec.Model.Init != null))
            throw new ArgumentException(model == null
                ? $"stage {stage.Metadata.Name} needs its model resolved to a digest first"
                : $"stage {stage.Metadata.Name} initialises model {stage.Spec.Model.Init}; it has no model input", nameof(model));
        var data = stage.Spec.Data with
        {
            Sources = [.. stage.Spec.Data.Sources.Select(s => s with { Uri = ArtifactLayout.Resolve(storeRoot, s.Uri) })],
        };
        var spec = stage.Spec with
        {
            Data = data,
            Evaluation = stage.Spec.Evaluation?.Select(e => e with { Uri = ArtifactLayout.Resolve(storeRoot, e.Uri) }).ToList(),
        };
        var runId = RunIdentity.Of(spec, model == null ? [] : [model]);
        var (ns, output) = Location(stage.Metadata, runId, storeRoot);
        return new TrainingTask { Namespace = ns, Name = stage.Metadata.Name, RunId = runId, Spec = spec, Model = model, Output = output };
    }

    /// <summary>
    /// The task of a merge whose inputs have been resolved: <paramref name="inputs"/>[i] holds the models that spec
    /// input i stands for (one, or the checkpoints it selects). An input's weight is shared equally by the models
    /// it stands for, so "0.5 of stage A's 3 checkpoints" gives each of them 1/6 after normalisation.
    /// </summary>
    public static MergeTask ForMerge(ModelMerge merge, IReadOnlyList<IReadOnlyList<ResolvedInput>> inputs, ResolvedInput? @base, string storeRoot)
    {
        var spec = merge.Spec;
        if (inputs.Count != spec.Inputs.Count)
            throw new ArgumentException($"merge {merge.Metadata.Name} has {spec.Inputs.Count} inputs but {inputs.Count} were resolved", nameof(inputs));
        if (inputs.Any(models => models.Count == 0))
            throw new ArgumentException($"merge {merge.Metadata.Name}: every input must resolve to at least one model", nameof(inputs));
        var expanded = spec.Inputs.Zip(inputs, (input, models) => models.Select((model, i) => new MergeTaskInput
        {
            Model = model with { Role = models.Count == 1 ? model.Role : $"{model.Role}.{i}" },
            Weight = input.Weight / models.Count,
            Layers = input.Layers,
        })).SelectMany(x => x).ToList();
        var resolved = expanded.Select(x => x.Model).Concat(@base == null ? [] : [@base]);
        var runId = RunIdentity.Of(spec, resolved);
        var (ns, output) = Location(merge.Metadata, runId, storeRoot);
        return new MergeTask { Namespace = ns, Name = merge.Metadata.Name, RunId = runId, Spec = spec, Inputs = expanded, Base = @base, Output = output };
    }

    // A run's namespace and its directory in the store.
    static (string Namespace, string Output) Location(k8s.Models.V1ObjectMeta metadata, string runId, string storeRoot)
    {
        var ns = metadata.NamespaceProperty ?? "default";
        return (ns, storeRoot + ArtifactLayout.Run(ns, metadata.Name, runId));
    }
}
