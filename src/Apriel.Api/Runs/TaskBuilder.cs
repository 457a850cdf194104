using Apriel.Api.V1Alpha1;

namespace Apriel.Api.Runs;

/// <summary>Builds task files from resources and their resolved inputs: the decisions the operator and the local runner share.</summary>
public static class TaskBuilder
{
    /// <summary>
    /// The task of a stage whose model input has been resolved (null only for <c>model.init</c>), with data URIs
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
        var spec = stage.Spec with { Data = data };
        var runId = RunIdentity.Of(spec, model == null ? [] : [model]);
        var ns = stage.Metadata.NamespaceProperty ?? "default";
        return new TrainingTask
        {
            Namespace = ns,
            Name = stage.Metadata.Name,
            RunId = runId,
            Spec = spec,
            Model = model,
            Output = storeRoot + ArtifactLayout.Run(ns, stage.Metadata.Name, runId),
        };
    }
}
