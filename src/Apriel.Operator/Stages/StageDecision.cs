using Apriel.Api.V1Alpha1;
using Apriel.Operator.Jobs;

namespace Apriel.Operator.Stages;

/// <summary>Something the reconciler's shell must do to the cluster.</summary>
public abstract record JobAction
{
    /// <summary>Create the run's task ConfigMap and Job (both idempotent by name).</summary>
    public sealed record Create(TrainerJob Objects) : JobAction;

    /// <summary>Delete a Job (its pods get SIGTERM and checkpoint) and its task ConfigMap.</summary>
    public sealed record Delete(string JobName, string Reason) : JobAction;
}

/// <summary>A Kubernetes Event to record on the stage.</summary>
public sealed record StageEvent(bool Warning, string Reason, string Message);

/// <summary>What the reconciler decided: the new status, cluster actions, events, and when to look again.</summary>
public sealed record StageDecision(TrainingStageStatus Status, IReadOnlyList<JobAction> Actions, IReadOnlyList<StageEvent> Events, TimeSpan? RequeueAfter);
