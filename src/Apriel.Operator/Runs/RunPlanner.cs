using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Operator.Jobs;
using Apriel.Operator.Status;
using k8s.Models;

namespace Apriel.Operator.Runs;

/// <summary>
/// The reconcilers' functional core, shared by stages and merges: from what was observed, decide the status, the
/// actions and the events. Steps, in order: deletion (retention) → validate → wait for dependencies → resolve
/// inputs → adopt a committed output (memoization) → honour suspend → ensure the run's Job and mirror its state.
/// Pure and idempotent: deciding again on the same observation gives the same result.
/// </summary>
public static class RunPlanner
{
    /// <summary>Set while the resource's artifacts must be deleted with it (<c>retentionPolicy: Delete</c>).</summary>
    public const string ArtifactsFinalizer = "apriel.dev/delete-artifacts";

    /// <summary>How often a running Job is looked at again to mirror progress.json (it is not watched).</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(15);

    /// <summary>How often an unresolvable input (e.g. a URI not yet committed) is retried.</summary>
    public static readonly TimeSpan ResolveRetryInterval = TimeSpan.FromSeconds(30);

    /// <summary>How often a deletion waits for its Jobs' pods to finish before deleting artifacts.</summary>
    public static readonly TimeSpan DeletionPollInterval = TimeSpan.FromSeconds(5);

    /// <summary>Decides what to do about <paramref name="o"/>.</summary>
    public static RunDecision Decide(RunObservation o, OperatorSettings settings, DateTime now)
    {
        var r = o.Resource;
        var hasFinalizer = r.Metadata.Finalizers?.Contains(ArtifactsFinalizer) == true;
        if (r.Metadata.DeletionTimestamp != null) return Deleting(o, hasFinalizer, settings);

        var d = new Draft(r, now);
        if (r.RetentionPolicy == RetentionPolicy.Delete && !hasFinalizer) d.Actions.Add(new RunAction.AddFinalizer());
        if (r.RetentionPolicy != RetentionPolicy.Delete && hasFinalizer) d.Actions.Add(new RunAction.RemoveFinalizer());

        if (o.SpecErrors.Count > 0) return d.InvalidSpec(o);
        var waiting = o.Dependencies.Where(x => !x.IsReady).ToList();
        if (waiting.Count > 0) return d.WaitForDependencies(o, waiting);
        d.Set(ConditionTypes.DependenciesReady, true, o.Dependencies.Count == 0 ? "NoDependencies" : "DependenciesSucceeded",
            o.Dependencies.Count == 0 ? "the inputs are " + r.Source : string.Join(", ", o.Dependencies.Select(x => x.Ref)) + " succeeded");
        if (o.Run is not { } run) return d.Unresolved(o);

        d.StartRun(run, o);
        var job = o.Jobs.FirstOrDefault(j => RunOf(j) == run.RunId);
        foreach (var stale in o.Jobs.Where(j => RunOf(j) != run.RunId))
            d.Actions.Add(new RunAction.DeleteJob(stale.Metadata.Name, $"superseded by run {run.RunId}"));

        if (o.CommittedOutput is { } output) return d.Succeeded(output, adopted: job == null && r.Status?.RunId != run.RunId);
        if (r.Suspend) return d.Suspended(job);
        if (job == null)
        {
            d.Actions.Add(new RunAction.CreateJob(run.Job));
            if (run.Job.IdleResources is { } idle) d.Warn("IdleResources", idle);
            return d.Finish(Phase.Pending, "JobCreated", $"created Job {run.Job.Job.Metadata.Name} for run {run.RunId}", running: false);
        }
        return d.FollowJob(JobState.Of(job), job, o);
    }

    // Jobs go first (waiting for their pods, so no trainer writes afterwards), then the artifacts, then the finalizer.
    static RunDecision Deleting(RunObservation o, bool hasFinalizer, OperatorSettings settings)
    {
        if (!hasFinalizer) return new RunDecision(null, [], [], null);
        if (o.Resource.RetentionPolicy != RetentionPolicy.Delete) return new RunDecision(null, [new RunAction.RemoveFinalizer()], [], null);
        if (o.Jobs.Count > 0)
        {
            var deletes = o.Jobs.Where(j => j.Metadata.DeletionTimestamp == null)
                .Select(j => (RunAction)new RunAction.DeleteJob(j.Metadata.Name, "the resource is being deleted", WaitForPods: true)).ToList();
            return new RunDecision(null, deletes, [], DeletionPollInterval);
        }
        var m = o.Resource.Metadata;
        var directory = settings.ArtifactRoot + ArtifactLayout.Runs(m.NamespaceProperty ?? "default", m.Name);
        return new RunDecision(null, [new RunAction.DeleteArtifacts(directory), new RunAction.RemoveFinalizer()],
            [new RunEvent(false, "ArtifactsDeleted", $"deleted {directory} (retentionPolicy: Delete)")], null);
    }

    static string? RunOf(V1Job job) => job.Metadata.Labels?.TryGetValue(Labels.RunId, out var id) == true ? id : null;

    /// <summary>The status being built, starting from the resource's current one.</summary>
    private sealed class Draft(RunResource r, DateTime now)
    {
        readonly RunStatus _old = r.Status ?? new RunStatus();
        readonly List<RunEvent> _events = [];

        public readonly List<RunAction> Actions = [];

        public RunStatus Status { get; } = Copy(r);

        static RunStatus Copy(RunResource r)
        {
            var old = r.Status;
            RunStatus status = r.Kind == TrainingStage.KindName
                ? new TrainingStageStatus { Checkpoints = (old as TrainingStageStatus)?.Checkpoints }
                : new RunStatus();
            status.ObservedGeneration = r.Metadata.Generation;
            status.Conditions = old?.Conditions;
            status.Source = r.Source;
            status.RunId = old?.RunId;
            status.Inputs = old?.Inputs;
            status.Output = old?.Output;
            status.Progress = old?.Progress;
            status.Attempts = old?.Attempts;
            status.StartTime = old?.StartTime;
            status.CompletionTime = old?.CompletionTime;
            return status;
        }

        public void Set(string type, bool value, string reason, string message) =>
            Status.Conditions = Conditions.Set(Status.Conditions, type, value, reason, message, r.Metadata.Generation, now);

        public RunDecision InvalidSpec(RunObservation o)
        {
            var message = "invalid spec: " + string.Join("; ", o.SpecErrors.Take(5)) + (o.SpecErrors.Count > 5 ? $"; and {o.SpecErrors.Count - 5} more" : "");
            StopAll(o, "the spec is invalid");
            Set(ConditionTypes.Failed, true, "InvalidSpec", message);
            return Finish(Phase.Failed, "InvalidSpec", message, running: false, warning: true);
        }

        public RunDecision WaitForDependencies(RunObservation o, IReadOnlyList<DependencyState> waiting)
        {
            var reason = waiting.Any(x => !x.Exists) ? "DependencyNotFound"
                : waiting.Any(x => x.Phase == Phase.Failed) ? "DependencyFailed" : "DependencyNotReady";
            var message = "waiting for " + string.Join("; ", waiting.Select(Describe));
            // A run on older inputs is of no use once a dependency runs again.
            StopAll(o, "an input is running again");
            Set(ConditionTypes.DependenciesReady, false, reason, message);
            return Finish(Phase.Waiting, reason, message, running: false);
        }

        static string Describe(DependencyState x) =>
            !x.Exists ? $"{x.Ref}, which does not exist"
            : x.Phase == Phase.Failed ? $"{x.Ref}, which has failed; fix it and this continues"
            : $"{x.Ref} to succeed (it is {x.Phase?.ToString() ?? "not started"})";

        public RunDecision Unresolved(RunObservation o)
        {
            var message = o.ResolveError ?? "an input could not be resolved";
            return Finish(Phase.Waiting, "InputNotResolved", message, running: false, requeue: ResolveRetryInterval, warning: true);
        }

        public void StartRun(ResolvedRun run, RunObservation o)
        {
            if (_old.RunId != null && _old.RunId != run.RunId)
            {
                var why = _old.ObservedGeneration != r.Metadata.Generation ? "the spec changed" : "an input changed";
                _events.Add(new RunEvent(false, "NewRun", $"starting run {run.RunId} (was {_old.RunId}): {why}"));
                (Status.Output, Status.Progress, Status.Attempts, Status.StartTime, Status.CompletionTime) = (null, null, null, null, null);
                if (Status is TrainingStageStatus stage) stage.Checkpoints = null;
                Set(ConditionTypes.Succeeded, false, "NewRun", $"run {run.RunId} replaces {_old.RunId}: {why}");
            }
            Status.RunId = run.RunId;
            Status.Inputs = [.. run.Inputs];
            if (o.Checkpoints.Count > 0 && Status is TrainingStageStatus s) s.Checkpoints = [.. o.Checkpoints];
            if (o.Progress != null) Status.Progress = o.Progress;
        }

        public RunDecision Succeeded(ArtifactRef output, bool adopted)
        {
            Status.Output = output;
            Status.CompletionTime ??= now;
            if (Status.Progress is { } p) Status.Progress = p with { Step = p.Total, Percent = 100 };
            var message = adopted ? $"adopted the committed output of run {Status.RunId}: {output.Uri}" : $"committed {output.Uri}";
            Set(ConditionTypes.Succeeded, true, adopted ? "Adopted" : "Completed", message);
            Set(ConditionTypes.Failed, false, "Succeeded", "the run succeeded");
            return Finish(Phase.Succeeded, adopted ? "Adopted" : "Completed", message, running: false);
        }

        public RunDecision Suspended(V1Job? job)
        {
            if (job != null) Actions.Add(new RunAction.DeleteJob(job.Metadata.Name, "suspended; the trainer checkpoints on SIGTERM"));
            return Finish(Phase.Suspended, "Suspended", "suspended by spec.suspend; set it to false to resume from the last checkpoint", running: false);
        }

        public RunDecision FollowJob(JobState state, V1Job job, RunObservation o)
        {
            Status.StartTime ??= now;
            Status.Attempts = state.FailedPods + (state.Phase is JobPhase.Running or JobPhase.Complete ? 1 : 0);
            var name = job.Metadata.Name;
            switch (state.Phase)
            {
                case JobPhase.Suspended:
                    var queue = job.Metadata.Labels?.TryGetValue(Labels.KueueQueue, out var q) == true ? q : null;
                    return Finish(Phase.Pending, "Queued", queue != null ? $"waiting for Kueue to admit Job {name} in queue {queue}" : $"Job {name} is suspended", running: false);
                case JobPhase.Pending:
                case JobPhase.Running when o.Pods is { Seen: true, AnyRunning: false }:
                    var waiting = o.Pods.WaitingMessage ?? $"waiting for the pods of Job {name} to start";
                    return Finish(Phase.Pending, o.Pods.WaitingReason ?? "Scheduling", waiting + Retries(state, o.Pods), running: false,
                        warning: o.Pods.WaitingReason != null);
                case JobPhase.Running:
                    var p = o.Progress;
                    var progress = p == null ? "starting" : $"step {p.Step}/{p.Total}" + (p.Loss is { } loss ? $", loss {loss:0.###}" : "");
                    var activity = r.Kind == ModelMerge.KindName ? "Merging" : "Training";
                    return Finish(Phase.Running, activity, $"Job {name}: {progress}" + Retries(state, o.Pods), running: true, requeue: ProgressInterval);
                case JobPhase.Complete:
                    var missing = $"Job {name} completed but run {Status.RunId} has no committed model; the trainer must commit model/MANIFEST.json last";
                    Set(ConditionTypes.Failed, true, "OutputNotCommitted", missing);
                    return Finish(Phase.Failed, "OutputNotCommitted", missing, running: false, warning: true);
                default:
                    var failed = $"the trainer failed {state.FailedPods} time(s) with retry limit {r.RetryLimit}"
                                 + (state.Message != null ? $": {state.Message}" : "") + (o.Pods.LastFailure != null ? $"; last: {o.Pods.LastFailure}" : "")
                                 + "; see the pods' logs: kubectl logs -l " + Labels.RunId + "=" + Status.RunId;
                    Set(ConditionTypes.Failed, true, state.Reason ?? "JobFailed", failed);
                    return Finish(Phase.Failed, state.Reason ?? "JobFailed", failed, running: false, warning: true);
            }
        }

        string Retries(JobState state, PodDiagnosis pods) => state.FailedPods == 0 ? ""
            : $" (retry {state.FailedPods} of {r.RetryLimit}" + (r.Kind == TrainingStage.KindName ? ", resuming from the last checkpoint" : "")
              + (pods.LastFailure != null ? $"; {pods.LastFailure}" : "") + ")";

        void StopAll(RunObservation o, string reason)
        {
            foreach (var job in o.Jobs) Actions.Add(new RunAction.DeleteJob(job.Metadata.Name, reason));
        }

        public void Warn(string reason, string message) => _events.Add(new RunEvent(true, reason, message));

        public RunDecision Finish(Phase phase, string reason, string message, bool running, TimeSpan? requeue = null, bool warning = false)
        {
            Status.Phase = phase;
            Set(ConditionTypes.Ready, phase is not (Phase.Failed or Phase.Waiting), reason, message);
            Set(ConditionTypes.Running, running, reason, message);
            if (_old.Phase != phase) _events.Add(new RunEvent(warning, reason, message));
            return new RunDecision(Status, Actions, _events, requeue);
        }
    }
}
