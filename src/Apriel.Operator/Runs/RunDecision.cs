using Apriel.Api.V1Alpha1;
using Apriel.Operator.Jobs;

namespace Apriel.Operator.Runs;

/// <summary>Something the reconciler's shell must do to the cluster or the artifact store.</summary>
public abstract record RunAction
{
    /// <summary>Create the run's task ConfigMap and Job (both idempotent by name).</summary>
    public sealed record CreateJob(TrainerJob Objects) : RunAction;

    /// <summary>
    /// Delete a Job (its pods get SIGTERM and checkpoint) and its task ConfigMap. <paramref name="WaitForPods"/>
    /// keeps the Job until its pods are gone (foreground deletion), so nothing writes after it has left.
    /// </summary>
    public sealed record DeleteJob(string JobName, string Reason, bool WaitForPods = false) : RunAction;

    /// <summary>Add the finalizer that deletes the resource's artifacts before it goes.</summary>
    public sealed record AddFinalizer : RunAction;

    /// <summary>Remove that finalizer, letting the deletion finish.</summary>
    public sealed record RemoveFinalizer : RunAction;

    /// <summary>Delete every run directory of the resource from the artifact store.</summary>
    public sealed record DeleteArtifacts(string Directory) : RunAction;
}

/// <summary>A Kubernetes Event to record on the resource.</summary>
public sealed record RunEvent(bool Warning, string Reason, string Message);

/// <summary>
/// What the reconciler decided: the new status (null: leave it as it is), actions in order, events, and when to
/// look again.
/// </summary>
public sealed record RunDecision(RunStatus? Status, IReadOnlyList<RunAction> Actions, IReadOnlyList<RunEvent> Events, TimeSpan? RequeueAfter);
