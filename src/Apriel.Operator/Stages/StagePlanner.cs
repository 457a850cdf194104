using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Operator.Jobs;
using Apriel.Operator.Status;
using k8s.Models;

namespace Apriel.Operator.Stages;

/// <summary>
/// The stage reconciler's functional core: from what was observed, decide the status, the Job actions and the
/// events. Steps, in order: validate → wait for the dependency → resolve inputs → adopt a committed output
/// (memoization) → honour suspend → ensure the run's Job and mirror its state. Pure and idempotent: deciding
/// again on the same observation gives the same result.
/// </summary>
public static class StagePlanner
{
    /// <summary>How often a running stage is looked at again to mirror progress.json (it is not watched).</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(15);

    /// <summary>How often an unresolvable input (e.g. a URI not yet committed) is retried.</summary>
    public static readonly TimeSpan ResolveRetryInterval = TimeSpan.FromSeconds(30);

    /// <summary>Decides what to do about <paramref name="o"/>.</summary>
    public static StageDecision Decide(StageObservation o, OperatorSettings settings, DateTime now)
    {
        var d = new Draft(o.Stage, now);
        if (o.SpecErrors.Count > 0) return d.InvalidSpec(o);
        if (o.Dependency is { } dependency && !IsReady(dependency)) return d.WaitForDependency(o, dependency);
        d.Set(ConditionTypes.DependenciesReady, true, o.Dependency == null ? "NoDependencies" : "DependenciesSucceeded",
            o.Dependency == null ? "the model comes from " + o.Stage.Spec.Model : $"{o.Dependency.Ref} has succeeded");
        if (o.Task is not { } task) return d.Unresolved(o);

        d.StartRun(task, o);
        var job = o.Jobs.FirstOrDefault(j => RunOf(j) == task.RunId);
        foreach (var stale in o.Jobs.Where(j => RunOf(j) != task.RunId))
            d.Actions.Add(new JobAction.Delete(stale.Metadata.Name, $"superseded by run {task.RunId}"));

        if (o.CommittedOutput is { } output) return d.Succeeded(output, adopted: job == null && o.Stage.Status?.RunId != task.RunId);
        if (o.Stage.Spec.Suspend) return d.Suspended(job);
        if (job == null)
        {
            d.Actions.Add(new JobAction.Create(TrainerJobBuilder.Build(o.Stage, task, settings)));
            return d.Finish(Phase.Pending, "JobCreated", $"created Job {TrainerJobBuilder.JobName(o.Stage.Metadata.Name, task.RunId)} for run {task.RunId}", running: false);
        }
        return d.FollowJob(JobState.Of(job), job, o);
    }

    static bool IsReady(DependencyState d) => d is { Exists: true, Phase: Phase.Succeeded, Output: not null };

    static string? RunOf(V1Job job) => job.Metadata.Labels?.TryGetValue(Labels.RunId, out var id) == true ? id : null;

    /// <summary>The status being built, starting from the stage's current one.</summary>
    private sealed class Draft(TrainingStage stage, DateTime now)
    {
        readonly TrainingStageStatus _old = stage.Status ?? new TrainingStageStatus();
        readonly List<StageEvent> _events = [];

        public readonly List<JobAction> Actions = [];

        public TrainingStageStatus Status { get; } = new()
        {
            ObservedGeneration = stage.Metadata.Generation,
            Conditions = stage.Status?.Conditions,
            Source = stage.Spec.Model.ToString(),
            RunId = stage.Status?.RunId,
            Inputs = stage.Status?.Inputs,
            Output = stage.Status?.Output,
            Progress = stage.Status?.Progress,
            Checkpoints = stage.Status?.Checkpoints,
            Attempts = stage.Status?.Attempts,
            StartTime = stage.Status?.StartTime,
            CompletionTime = stage.Status?.CompletionTime,
        };

        public void Set(string type, bool value, string reason, string message) =>
            Status.Conditions = Conditions.Set(Status.Conditions, type, value, reason, message, stage.Metadata.Generation, now);

        public StageDecision InvalidSpec(StageObservation o)
        {
            var message = "invalid spec: " + string.Join("; ", o.SpecErrors.Take(5)) + (o.SpecErrors.Count > 5 ? $"; and {o.SpecErrors.Count - 5} more" : "");
            StopAll(o, "the spec is invalid");
            Set(ConditionTypes.Failed, true, "InvalidSpec", message);
            return Finish(Phase.Failed, "InvalidSpec", message, running: false, warning: true);
        }

        public StageDecision WaitForDependency(StageObservation o, DependencyState d)
        {
            var (reason, message) = !d.Exists
                ? ("DependencyNotFound", $"waiting for {d.Ref}, which does not exist")
                : d.Phase == Phase.Failed
                    ? ("DependencyFailed", $"waiting for {d.Ref}, which has failed; fix it and this stage continues")
                    : ("DependencyNotReady", $"waiting for {d.Ref} to succeed (it is {d.Phase?.ToString() ?? "not started"})");
            // A run on older inputs is of no use once the dependency runs again.
            StopAll(o, $"{d.Ref} is running again");
            Set(ConditionTypes.DependenciesReady, false, reason, message);
            return Finish(Phase.Waiting, reason, message, running: false);
        }

        public StageDecision Unresolved(StageObservation o)
        {
            var message = o.ResolveError ?? "the model input could not be resolved";
            return Finish(Phase.Waiting, "InputNotResolved", message, running: false, requeue: ResolveRetryInterval, warning: true);
        }

        public void StartRun(TrainingTask task, StageObservation o)
        {
            if (_old.RunId != null && _old.RunId != task.RunId)
            {
                var why = _old.ObservedGeneration != stage.Metadata.Generation ? "the spec changed" : "an input changed";
                _events.Add(new StageEvent(false, "NewRun", $"starting run {task.RunId} (was {_old.RunId}): {why}"));
                (Status.Output, Status.Progress, Status.Checkpoints, Status.Attempts, Status.StartTime, Status.CompletionTime) =
                    (null, null, null, null, null, null);
                Set(ConditionTypes.Succeeded, false, "NewRun", $"run {task.RunId} replaces {_old.RunId}: {why}");
            }
            Status.RunId = task.RunId;
            Status.Inputs = task.Model == null ? [] : [task.Model];
            if (o.Checkpoints.Count > 0) Status.Checkpoints = [.. o.Checkpoints];
            if (o.Progress != null) Status.Progress = o.Progress;
        }

        public StageDecision Succeeded(ArtifactRef output, bool adopted)
        {
            Status.Output = output;
            Status.CompletionTime ??= now;
            if (Status.Progress is { } p) Status.Progress = p with { Step = p.Total, Percent = 100 };
            var message = adopted ? $"adopted the committed output of run {Status.RunId}: {output.Uri}" : $"committed {output.Uri}";
            Set(ConditionTypes.Succeeded, true, adopted ? "Adopted" : "Completed", message);
            Set(ConditionTypes.Failed, false, "Succeeded", "the run succeeded");
            return Finish(Phase.Succeeded, adopted ? "Adopted" : "Completed", message, running: false);
        }

        public StageDecision Suspended(V1Job? job)
        {
            if (job != null) Actions.Add(new JobAction.Delete(job.Metadata.Name, "the stage is suspended; the trainer checkpoints on SIGTERM"));
            return Finish(Phase.Suspended, "Suspended", "suspended by spec.suspend; set it to false to resume from the last checkpoint", running: false);
        }

        public StageDecision FollowJob(JobState state, V1Job job, StageObservation o)
        {
            Status.StartTime ??= now;
            Status.Attempts = state.FailedPods + (state.Phase is JobPhase.Running or JobPhase.Complete ? 1 : 0);
            var retryLimit = o.Stage.Spec.RetryLimit;
            switch (state.Phase)
            {
                case JobPhase.Suspended:
                    var queue = o.Stage.Spec.QueueName;
                    return Finish(Phase.Pending, "Queued", queue != null ? $"waiting for Kueue to admit Job {job.Metadata.Name} in queue {queue}" : $"Job {job.Metadata.Name} is suspended", running: false);
                case JobPhase.Pending:
                    return Finish(Phase.Pending, "Scheduling", $"waiting for the pods of Job {job.Metadata.Name} to start" + Retries(state, retryLimit), running: false);
                case JobPhase.Running:
                    var p = o.Progress;
                    var progress = p == null ? "starting" : $"step {p.Step}/{p.Total}" + (p.Loss is { } loss ? $", loss {loss:0.###}" : "");
                    return Finish(Phase.Running, "Training", $"Job {job.Metadata.Name}: {progress}" + Retries(state, retryLimit), running: true, requeue: ProgressInterval);
                case JobPhase.Complete:
                    var missing = $"Job {job.Metadata.Name} completed but run {Status.RunId} has no committed model; the trainer must commit model/MANIFEST.json last";
                    Set(ConditionTypes.Failed, true, "OutputNotCommitted", missing);
                    return Finish(Phase.Failed, "OutputNotCommitted", missing, running: false, warning: true);
                default:
                    var failed = $"the trainer failed {state.FailedPods} time(s) with retry limit {retryLimit}"
                                 + (state.Message != null ? $": {state.Message}" : "") + "; see the pods' logs: kubectl logs -l " + Labels.RunId + "=" + Status.RunId;
                    Set(ConditionTypes.Failed, true, state.Reason ?? "JobFailed", failed);
                    return Finish(Phase.Failed, state.Reason ?? "JobFailed", failed, running: false, warning: true);
            }
        }

        static string Retries(JobState state, int limit) => state.FailedPods > 0 ? $" (retry {state.FailedPods} of {limit}, resuming from the last checkpoint)" : "";

        void StopAll(StageObservation o, string reason)
        {
            foreach (var job in o.Jobs) Actions.Add(new JobAction.Delete(job.Metadata.Name, reason));
        }

        public StageDecision Finish(Phase phase, string reason, string message, bool running, TimeSpan? requeue = null, bool warning = false)
        {
            Status.Phase = phase;
            Set(ConditionTypes.Ready, phase is not (Phase.Failed or Phase.Waiting), reason, message);
            Set(ConditionTypes.Running, running, running ? "Training" : reason, message);
            if (_old.Phase != phase) _events.Add(new StageEvent(warning, reason, message));
            return new StageDecision(Status, Actions, _events, requeue);
        }
    }
}
