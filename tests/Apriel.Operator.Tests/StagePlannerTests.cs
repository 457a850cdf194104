using Apriel.Api.Runs;
using Apriel.Api.Validation;
using Apriel.Api.V1Alpha1;
using Apriel.Operator.Jobs;
using Apriel.Operator.Stages;
using Apriel.Operator.Status;
using k8s.Models;

namespace Apriel.Operator.Tests;

public sealed class StagePlannerTests
{
    static readonly DateTime Now = new(2026, 11, 29, 12, 0, 0, DateTimeKind.Utc);
    static readonly ArtifactRef Output = new() { Uri = "s3://apriel/runs/team-a/cpt-1/x/model/", Digest = "sha256:" + new string('c', 64) };

    static StageObservation Observe(Func<StageObservation, StageObservation>? change = null, string extraSpec = "")
    {
        var stage = TrainerJobBuilderTests.Stage(extraSpec);
        stage.Metadata.Generation = 1;
        var o = new StageObservation { Stage = stage, Task = TrainerJobBuilderTests.Task(stage) };
        return change == null ? o : change(o);
    }

    static StageDecision Decide(StageObservation o) => StagePlanner.Decide(o, TrainerJobBuilderTests.Settings, Now);

    static V1Job Job(StageObservation o, string? runId = null, V1JobStatus? status = null, bool suspend = false)
    {
        var job = TrainerJobBuilder.Build(o.Stage, o.Task!, TrainerJobBuilderTests.Settings).Job;
        if (runId != null) job.Metadata.Labels[Labels.RunId] = runId;
        job.Metadata.Name = TrainerJobBuilder.JobName(o.Stage.Metadata.Name, job.Metadata.Labels[Labels.RunId]);
        job.Spec.Suspend = suspend;
        job.Status = status;
        return job;
    }

    static Condition Condition(StageDecision d, string type) => Conditions.Find(d.Status.Conditions, type)!;

    [Fact]
    public void A_new_stage_gets_its_job_created()
    {
        var d = Decide(Observe());
        var create = Assert.IsType<JobAction.Create>(Assert.Single(d.Actions));
        Assert.Equal(Phase.Pending, d.Status.Phase);
        Assert.Equal(d.Status.RunId, create.Objects.Job.Metadata.Labels[Labels.RunId]);
        Assert.Equal("JobCreated", Assert.Single(d.Events).Reason);
        Assert.Equal(1, Condition(d, ConditionTypes.Ready).ObservedGeneration);
    }

    [Fact]
    public void An_invalid_spec_fails_naming_the_field_and_stops_its_jobs()
    {
        var o = Observe();
        o = o with { SpecErrors = [new FieldError("spec.batch.globalBatchSize", "3 is not a multiple of 2", "use a multiple of 2")], Jobs = [Job(o)] };
        var d = Decide(o);
        Assert.Equal(Phase.Failed, d.Status.Phase);
        var ready = Condition(d, ConditionTypes.Ready);
        Assert.Equal(("False", "InvalidSpec"), (ready.Status, ready.Reason));
        Assert.Contains("spec.batch.globalBatchSize", ready.Message);
        Assert.IsType<JobAction.Delete>(Assert.Single(d.Actions));
        Assert.True(Assert.Single(d.Events).Warning);
    }

    [Theory]
    [InlineData(false, null, "DependencyNotFound", "does not exist")]
    [InlineData(true, Phase.Running, "DependencyNotReady", "to succeed (it is Running)")]
    [InlineData(true, Phase.Failed, "DependencyFailed", "has failed")]
    public void A_stage_waits_for_its_dependency_and_says_which(bool exists, Phase? phase, string reason, string message)
    {
        var d = Decide(Observe(o => o with { Dependency = new DependencyState(new ResourceRef(ResourceKind.ModelMerge, "upscale-avg"), exists, phase, null), Task = null }));
        Assert.Equal(Phase.Waiting, d.Status.Phase);
        var dependencies = Condition(d, ConditionTypes.DependenciesReady);
        Assert.Equal(("False", reason), (dependencies.Status, dependencies.Reason));
        Assert.Contains("merge/upscale-avg", dependencies.Message);
        Assert.Contains(message, dependencies.Message);
        Assert.Empty(d.Actions);
    }

    [Fact]
    public void An_unresolvable_input_is_retried_later()
    {
        var d = Decide(Observe(o => o with { Task = null, ResolveError = "s3://models/base/ has no MANIFEST.json" }));
        Assert.Equal((Phase.Waiting, StagePlanner.ResolveRetryInterval), (d.Status.Phase!.Value, d.RequeueAfter!.Value));
        Assert.Contains("MANIFEST.json", Condition(d, ConditionTypes.Ready).Message);
    }

    [Fact]
    public void A_committed_output_of_the_run_is_adopted_without_training()
    {
        var d = Decide(Observe(o => o with { CommittedOutput = Output }));
        Assert.Empty(d.Actions);
        Assert.Equal((Phase.Succeeded, Output), (d.Status.Phase!.Value, d.Status.Output));
        Assert.Equal("Adopted", Condition(d, ConditionTypes.Succeeded).Reason);
    }

    [Fact]
    public void A_running_job_mirrors_progress_and_is_looked_at_again()
    {
        var progress = new Progress { Step = 40, Total = 100, Percent = 40, Loss = 2.25 };
        var d = Decide(Observe(o => o with { Jobs = [Job(o, status: new V1JobStatus { Active = 1, Failed = 1 })], Progress = progress }));
        Assert.Equal((Phase.Running, StagePlanner.ProgressInterval), (d.Status.Phase!.Value, d.RequeueAfter!.Value));
        Assert.Equal(progress, d.Status.Progress);
        Assert.Equal(2, d.Status.Attempts);
        Assert.True(Conditions.IsTrue(d.Status.Conditions, ConditionTypes.Running));
        Assert.Contains("step 40/100, loss 2.25", Condition(d, ConditionTypes.Running).Message);
        Assert.Contains("retry 1 of 3", Condition(d, ConditionTypes.Running).Message);
    }

    [Fact]
    public void A_failed_job_fails_the_stage_with_the_jobs_reason()
    {
        var failed = new V1JobStatus { Failed = 4, Conditions = [new V1JobCondition { Type = "Failed", Status = "True", Reason = "BackoffLimitExceeded", Message = "Job has reached the specified backoff limit" }] };
        var d = Decide(Observe(o => o with { Jobs = [Job(o, status: failed)] }));
        Assert.Equal(Phase.Failed, d.Status.Phase);
        var condition = Condition(d, ConditionTypes.Failed);
        Assert.Equal("BackoffLimitExceeded", condition.Reason);
        Assert.Contains("failed 4 time(s) with retry limit 3", condition.Message);
        Assert.Empty(d.Actions);
    }

    [Fact]
    public void A_completed_job_without_a_committed_model_is_a_failure_not_a_success()
    {
        var d = Decide(Observe(o => o with { Jobs = [Job(o, status: new V1JobStatus { Succeeded = 1, Conditions = [new V1JobCondition { Type = "Complete", Status = "True" }] })] }));
        Assert.Equal((Phase.Failed, "OutputNotCommitted"), (d.Status.Phase!.Value, Condition(d, ConditionTypes.Failed).Reason));
    }

    [Fact]
    public void Suspend_removes_the_job_and_resume_recreates_it()
    {
        var suspended = Decide(Observe(o => o with { Jobs = [Job(o, status: new V1JobStatus { Active = 1 })] }, "  suspend: true"));
        Assert.Equal(Phase.Suspended, suspended.Status.Phase);
        Assert.IsType<JobAction.Delete>(Assert.Single(suspended.Actions));
        Assert.IsType<JobAction.Create>(Assert.Single(Decide(Observe()).Actions));
    }

    [Fact]
    public void A_job_queued_by_kueue_is_reported_as_queued()
    {
        var d = Decide(Observe(o => o with { Jobs = [Job(o, suspend: true)] }, "  queueName: team-a"));
        Assert.Equal((Phase.Pending, "Queued"), (d.Status.Phase!.Value, Condition(d, ConditionTypes.Ready).Reason));
        Assert.Contains("queue team-a", Condition(d, ConditionTypes.Ready).Message);
    }

    [Fact]
    public void A_new_run_replaces_the_old_one_and_says_why()
    {
        var o = Observe();
        o.Stage.Status = new TrainingStageStatus { RunId = "0123456789ab", ObservedGeneration = 1, Phase = Phase.Succeeded, Output = Output };
        o.Stage.Metadata.Generation = 2;
        var d = Decide(o with { Jobs = [Job(o, runId: "0123456789ab")] });
        Assert.Equal(2, d.Actions.Count);
        Assert.Equal($"cpt-1-0123456789ab", Assert.IsType<JobAction.Delete>(d.Actions[0]).JobName);
        Assert.IsType<JobAction.Create>(d.Actions[1]);
        Assert.Null(d.Status.Output);
        Assert.Contains(d.Events, e => e.Reason == "NewRun" && e.Message.Contains("the spec changed"));
    }

    [Fact]
    public void Deciding_again_on_the_result_changes_nothing_in_status()
    {
        var o = Observe(o => o with { Jobs = [Job(o, status: new V1JobStatus { Active = 1 })] });
        var first = Decide(o);
        o.Stage.Status = first.Status;
        var second = StagePlanner.Decide(o, TrainerJobBuilderTests.Settings, Now.AddMinutes(5));
        Assert.Equal(first.Status.Conditions!.Select(c => c.LastTransitionTime), second.Status.Conditions!.Select(c => c.LastTransitionTime));
        Assert.Empty(second.Events);
        Assert.Empty(second.Actions);
    }
}
