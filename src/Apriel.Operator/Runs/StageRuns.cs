using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Operator.Jobs;
using Apriel.Operator.Runtime;

namespace Apriel.Operator.Runs;

/// <summary>TrainingStages as runs: one model input (a reference, a URI or a built-in configuration), trained by <c>apriel-trainer train</c>.</summary>
public sealed class StageRuns(IUpstream upstream, OperatorSettings settings) : IRunKind<TrainingStage>
{
    /// <inheritdoc/>
    public ResourceType Type => ResourceType.TrainingStages;

    /// <inheritdoc/>
    public RunResource View(TrainingStage stage) => ViewOf(stage);

    /// <summary>The parts of a stage the planner decides on.</summary>
    public static RunResource ViewOf(TrainingStage stage) => new()
    {
        Kind = TrainingStage.KindName,
        Metadata = stage.Metadata,
        Status = stage.Status,
        Source = stage.Spec.Model.ToString(),
        RetryLimit = stage.Spec.RetryLimit,
        Suspend = stage.Spec.Suspend,
        RetentionPolicy = stage.Spec.RetentionPolicy,
    };

    /// <inheritdoc/>
    public IEnumerable<ResourceRef> References(TrainingStage stage) =>
        stage.Spec?.Model?.Reference is { } reference ? [reference] : []; // null-safe: also indexes whatever the server holds

    /// <inheritdoc/>
    public async Task<(ResolvedRun? Run, string? Error)> ResolveAsync(TrainingStage stage, CancellationToken cancellationToken)
    {
        var (task, error) = await RunResolver.StageAsync(stage, upstream, settings.ArtifactRoot, cancellationToken);
        return task == null ? (null, error)
            : (new ResolvedRun(task.RunId, task.Model == null ? [] : [task.Model], task.Output, TrainerJobBuilder.Build(stage, task, settings)), null);
    }

    /// <inheritdoc/>
    public void SetStatus(TrainingStage stage, RunStatus status) => stage.Status = (TrainingStageStatus)status;
}
