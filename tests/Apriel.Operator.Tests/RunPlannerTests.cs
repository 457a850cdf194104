using Apriel.Api.Runs;
using Apriel.Api.Validation;
using Apriel.Api.V1Alpha1;
using Apriel.Operator.Jobs;
using Apriel.Operator.Runs;
using Apriel.Operator.Status;
using k8s;
using k8s.Models;

namespace Apriel.Operator.Tests;

public sealed class RunPlannerTests
{
    static readonly DateTime Now = new(2026, 11, 29, 12, 0, 0, DateTimeKind.Utc);
    static readonly ArtifactRef Output = new() { Uri = "s3://apriel/runs/team-a/cpt-1/x/model/", Digest = "sha256:" + new string('c', 64) };

    static RunObservation Observe(Func<RunObservation, RunObservation>? change = null, string extraSpec = "")
    {
        var stage = TrainerJobBuilderTests.Stage(extraSpec);
        stage.Metadata.Generation = 1;
        var task = TrainerJobBuilderTests.Task(stage);
        var run = new ResolvedRun(task.RunId, [], task.Output, TrainerJobBuilder.Build(stage, task, TrainerJobBuilderTests.Settings));
        var o = new RunObservation { Resource = StageRuns.ViewOf(stage), Run = run };
        return change == null ? o : change(o);
    }

    static RunDecision Decide(RunObservation o) => RunPlanner.Decide(o, TrainerJobBuilderTests.Settings, Now);

    static V1Job Job(RunObservation o, string? runId = null, V1JobStatus? status = null, bool suspend = false)
    {
        var job = KubernetesJson.Deserialize<V1Job>(KubernetesJson.Serialize(o.Run!.Job.Job)); // a copy: the run's own Job stays as built
        if (runId != null) job.Metadata.Labels[Labels.RunId] = runId;
        job.Metadata.Name = TrainerJobBuilder.JobName(o.Resource.Metadata.Name, job.Metadata.Labels[Labels.RunId]);
        job.Spec.Suspend = suspend;
        job.Status = status;
        return job;
    }

    static Condition Condition(RunDecision d, string type) => Conditions.Find(d.Status!.Conditions, type)!;

    [Fact]
    public void A_new_stage_gets_its_job_created()
    {
        var d = Decide(Observe());
        var create = Assert.IsType<RunAction.CreateJob>(Assert.Single(d.Actions));
        Assert.Equal(Phase.Pending, d.Status!.Phase);
        Assert.Equal(d.Status!.RunId, create.Objects.Job.Metadata.Labels[Labels.RunId]);
        Assert.Equal("JobCreated", Assert.Single(d.Events).Reason);
        Assert.Equal(1, Condition(d, ConditionTypes.Ready).ObservedGeneration);
    }

    [Fact]
    public void A_job_asking_for_gpus_the_trainer_cannot_use_comes_with_a_warning()
    {
        var d = Decide(Observe(extraSpec: """
              resources: {nodes: 2, gpusPerNode: 8}
            """));

        Assert.IsType<RunAction.CreateJob>(Assert.Single(d.Actions));
        var warning = Assert.Single(d.Events, e => e.Warning);
        Assert.Equal("IdleResources", warning.Reason);
        Assert.Contains("2 pod(s) × 8 GPU(s)", warning.Message);
        Assert.Contains("15 GPU(s) stay idle", warning.Message);
    }

    [Fact]
    public void An_invalid_spec_fails_naming_the_field_and_stops_its_jobs()
    {
        var o = Observe();
        o = o with { SpecErrors = [new FieldError("spec.batch.globalBatchSize", "3 is not a multiple of 2", "use a multiple of 2")], Jobs = [Job(o)] };
        var d = Decide(o);
        Assert.Equal(Phase.Failed, d.Status!.Phase);
        var ready = Condition(d, ConditionTypes.Ready);
        Assert.Equal(("False", "InvalidSpec"), (ready.Status, ready.Reason));
        Assert.Contains("spec.batch.globalBatchSize", ready.Message);
        Assert.IsType<RunAction.DeleteJob>(Assert.Single(d.Actions));
        Assert.True(Assert.Single(d.Events).Warning);
    }

    [Theory]
    [InlineData(false, null, "DependencyNotFound", "does not exist")]
    [InlineData(true, Phase.Running, "DependencyNotReady", "to succeed (it is Running)")]
    [InlineData(true, Phase.Failed, "DependencyFailed", "has failed")]
    public void A_stage_waits_for_its_dependency_and_says_which(bool exists, Phase? phase, string reason, string message)
    {
        var d = Decide(Observe(o => o with { Dependencies = [new DependencyState(new ResourceRef(ResourceKind.ModelMerge, "upscale-avg"), exists, phase, null)], Run = null }));
        Assert.Equal(Phase.Waiting, d.Status!.Phase);
        var dependencies = Condition(d, ConditionTypes.DependenciesReady);
        Assert.Equal(("False", reason), (dependencies.Status, dependencies.Reason));
        Assert.Contains("merge/upscale-avg", dependencies.Message);
        Assert.Contains(message, dependencies.Message);
        Assert.Empty(d.Actions);
    }

    [Fact]
    public void An_unresolvable_input_is_retried_later()
    {
        var d = Decide(Observe(o => o with { Run = null, ResolveError = "s3://models/base/ has no MANIFEST.json" }));
        Assert.Equal((Phase.Waiting, RunPlanner.ResolveRetryInterval), (d.Status!.Phase!.Value, d.RequeueAfter!.Value));
        Assert.Contains("MANIFEST.json", Condition(d, ConditionTypes.Ready).Message);
    }

    [Fact]
    public void A_committed_output_of_the_run_is_adopted_without_training()
    {
        var d = Decide(Observe(o => o with { CommittedOutput = Output }));
        Assert.Empty(d.Actions);
        Assert.Equal((Phase.Succeeded, Output), (d.Status!.Phase!.Value, d.Status!.Output));
        Assert.Equal("Adopted", Condition(d, ConditionTypes.Succeeded).Reason);
    }

    [Fact]
    public void A_running_job_mirrors_progress_and_is_looked_at_again()
    {
        var progress = new Progress { Step = 40, Total = 100, Percent = 40, Loss = 2.25 };
        var d = Decide(Observe(o => o with { Jobs = [Job(o, status: new V1JobStatus { Active = 1, Failed = 1 })], Progress = progress }));
        Assert.Equal((Phase.Running, RunPlanner.ProgressInterval), (d.Status!.Phase!.Value, d.RequeueAfter!.Value));
        Assert.Equal(progress, d.Status!.Progress);
        Assert.Equal(2, d.Status!.Attempts);
        Assert.True(Conditions.IsTrue(d.Status!.Conditions, ConditionTypes.Running));
        Assert.Contains("step 40/100, loss 2.25", Condition(d, ConditionTypes.Running).Message);
        Assert.Contains("retry 1 of 3", Condition(d, ConditionTypes.Running).Message);
    }

    [Fact]
    public void A_failed_job_fails_the_stage_with_the_jobs_reason()
    {
        var failed = new V1JobStatus { Failed = 4, Conditions = [new V1JobCondition { Type = "Failed", Status = "True", Reason = "BackoffLimitExceeded", Message = "Job has reached the specified backoff limit" }] };
        var d = Decide(Observe(o => o with { Jobs = [Job(o, status: failed)] }));
        Assert.Equal(Phase.Failed, d.Status!.Phase);
        var condition = Condition(d, ConditionTypes.Failed);
        Assert.Equal("BackoffLimitExceeded", condition.Reason);
        Assert.Contains("failed 4 time(s) with retry limit 3", condition.Message);
        Assert.Empty(d.Actions);
    }

    [Fact]
    public void A_completed_job_without_a_committed_model_is_a_failure_not_a_success()
    {
        var d = Decide(Observe(o => o with { Jobs = [Job(o, status: new V1JobStatus { Succeeded = 1, Conditions = [new V1JobCondition { Type = "Complete", Status = "True" }] })] }));
        Assert.Equal((Phase.Failed, "OutputNotCommitted"), (d.Status!.Phase!.Value, Condition(d, ConditionTypes.Failed).Reason));
    }

    [Fact]
    public void Suspend_removes_the_job_and_resume_recreates_it()
    {
        var suspended = Decide(Observe(o => o with { Jobs = [Job(o, status: new V1JobStatus { Active = 1 })] }, "  suspend: true"));
        Assert.Equal(Phase.Suspended, suspended.Status!.Phase);
        Assert.IsType<RunAction.DeleteJob>(Assert.Single(suspended.Actions));
        Assert.IsType<RunAction.CreateJob>(Assert.Single(Decide(Observe()).Actions));
    }

    [Fact]
    public void A_job_queued_by_kueue_is_reported_as_queued()
    {
        var d = Decide(Observe(o => o with { Jobs = [Job(o, suspend: true)] }, "  queueName: team-a"));
        Assert.Equal((Phase.Pending, "Queued"), (d.Status!.Phase!.Value, Condition(d, ConditionTypes.Ready).Reason));
        Assert.Contains("queue team-a", Condition(d, ConditionTypes.Ready).Message);
    }

    [Fact]
    public void A_new_run_replaces_the_old_one_and_says_why()
    {
        var o = Observe();
        o = o with { Resource = o.Resource with { Status = new TrainingStageStatus { RunId = "0123456789ab", ObservedGeneration = 1, Phase = Phase.Succeeded, Output = Output } } };
        o.Resource.Metadata.Generation = 2;
        var d = Decide(o with { Jobs = [Job(o, runId: "0123456789ab")] });
        Assert.Equal(2, d.Actions.Count);
        Assert.Equal($"cpt-1-0123456789ab", Assert.IsType<RunAction.DeleteJob>(d.Actions[0]).JobName);
        Assert.IsType<RunAction.CreateJob>(d.Actions[1]);
        Assert.Null(d.Status!.Output);
        Assert.Contains(d.Events, e => e.Reason == "NewRun" && e.Message.Contains("the spec changed"));
    }

    [Fact]
    public void Deciding_again_on_the_result_changes_nothing_in_status()
    {
        var o = Observe(o => o with { Jobs = [Job(o, status: new V1JobStatus { Active = 1 })] });
        var first = Decide(o);
        o = o with { Resource = o.Resource with { Status = first.Status } };
        var second = RunPlanner.Decide(o, TrainerJobBuilderTests.Settings, Now.AddMinutes(5));
        Assert.Equal(first.Status!.Conditions!.Select(c => c.LastTransitionTime), second.Status!.Conditions!.Select(c => c.LastTransitionTime));
        Assert.Empty(second.Events);
        Assert.Empty(second.Actions);
    }

    [Fact]
    public void A_merge_waits_for_every_input_and_names_each()
    {
        var d = Decide(Observe(o => o with
        {
            Dependencies =
            [
                new DependencyState(new ResourceRef(ResourceKind.TrainingStage, "sft-a"), true, Phase.Succeeded, Output),
                new DependencyState(new ResourceRef(ResourceKind.TrainingStage, "sft-b"), true, Phase.Running, null),
                new DependencyState(new ResourceRef(ResourceKind.TrainingStage, "sft-c"), false, null, null),
            ],
            Run = null,
        }));
        var dependencies = Condition(d, ConditionTypes.DependenciesReady);
        Assert.Equal("DependencyNotFound", dependencies.Reason);
        Assert.Equal("waiting for stage/sft-b to succeed (it is Running); stage/sft-c, which does not exist", dependencies.Message);
    }

    [Fact]
    public void Retention_delete_adds_the_finalizer_and_retain_removes_it()
    {
        var delete = Decide(Observe(extraSpec: "  retentionPolicy: Delete"));
        Assert.IsType<RunAction.AddFinalizer>(delete.Actions[0]);

        var retain = Observe();
        retain.Resource.Metadata.Finalizers = [RunPlanner.ArtifactsFinalizer];
        Assert.IsType<RunAction.RemoveFinalizer>(Decide(retain).Actions[0]);
        Assert.DoesNotContain(Decide(Observe()).Actions, a => a is RunAction.AddFinalizer or RunAction.RemoveFinalizer);
    }

    [Fact]
    public void Deletion_stops_the_jobs_first_then_deletes_the_artifacts_then_lets_go()
    {
        var o = Observe(extraSpec: "  retentionPolicy: Delete");
        o.Resource.Metadata.Finalizers = [RunPlanner.ArtifactsFinalizer];
        o.Resource.Metadata.DeletionTimestamp = Now;

        var withJob = Decide(o with { Jobs = [Job(o, status: new V1JobStatus { Active = 1 })] });
        Assert.True(Assert.IsType<RunAction.DeleteJob>(Assert.Single(withJob.Actions)).WaitForPods);
        Assert.Equal(RunPlanner.DeletionPollInterval, withJob.RequeueAfter);
        Assert.Null(withJob.Status);

        var done = Decide(o);
        Assert.Equal("s3://apriel/runs/team-a/cpt-1/", Assert.IsType<RunAction.DeleteArtifacts>(done.Actions[0]).Directory);
        Assert.IsType<RunAction.RemoveFinalizer>(done.Actions[1]);

        o.Resource.Metadata.Finalizers = null;
        Assert.Empty(Decide(o).Actions); // retained: owner references do the rest
    }

    [Fact]
    public void A_running_merge_says_merging_and_its_retries_do_not_resume()
    {
        var o = Observe(o => o with { Jobs = [Job(o, status: new V1JobStatus { Active = 1, Failed = 1 })] });
        var d = Decide(o with { Resource = o.Resource with { Kind = ModelMerge.KindName, RetryLimit = 2 } });
        var running = Condition(d, ConditionTypes.Running);
        Assert.Equal("Merging", running.Reason);
        Assert.EndsWith("(retry 1 of 2)", running.Message);
        Assert.IsNotType<TrainingStageStatus>(d.Status);
    }

    static V1Pod Pod(string phase, V1PodCondition? condition = null, V1ContainerState? state = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "cpt-1-run-0", CreationTimestamp = Now },
        Status = new V1PodStatus
        {
            Phase = phase,
            Conditions = condition == null ? null : [condition],
            ContainerStatuses = state == null ? null : [new V1ContainerStatus { Name = "trainer", State = state, Image = "i", ImageID = "", Ready = false, RestartCount = 0 }],
        },
    };

    [Fact]
    public void A_job_whose_pod_cannot_be_scheduled_is_pending_and_says_why()
    {
        var unschedulable = Pod("Pending", new V1PodCondition { Type = "PodScheduled", Status = "False", Reason = "Unschedulable", Message = "0/3 nodes are available: 3 Insufficient nvidia.com/gpu." });
        var d = Decide(Observe(o => o with { Jobs = [Job(o, status: new V1JobStatus { Active = 1 })], Pods = PodDiagnosis.Of([unschedulable]) }));
        Assert.Equal(Phase.Pending, d.Status!.Phase);
        var ready = Condition(d, ConditionTypes.Ready);
        Assert.Equal("Unschedulable", ready.Reason);
        Assert.Contains("3 Insufficient nvidia.com/gpu", ready.Message);
        Assert.True(Assert.Single(d.Events).Warning);
    }

    [Fact]
    public void A_missing_secret_shows_in_status()
    {
        var waiting = Pod("Pending", state: new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CreateContainerConfigError", Message = "secret \"apriel-s3\" not found" } });
        var d = Decide(Observe(o => o with { Jobs = [Job(o, status: new V1JobStatus { Active = 1 })], Pods = PodDiagnosis.Of([waiting]) }));
        Assert.Equal(("CreateContainerConfigError", Phase.Pending), (Condition(d, ConditionTypes.Ready).Reason, d.Status!.Phase!.Value));
        Assert.Contains("secret \"apriel-s3\" not found", Condition(d, ConditionTypes.Ready).Message);
    }

    [Fact]
    public void A_failure_carries_the_trainers_last_words()
    {
        var crashed = Pod("Failed", state: new V1ContainerState
        {
            Terminated = new V1ContainerStateTerminated { ExitCode = 1, Reason = "Error", Message = "loading s3://models/base/\nerror: s3://models/base/model.safetensors: truncated (expected 4096 bytes, found 100)\n" },
        });
        var failed = new V1JobStatus { Failed = 4, Conditions = [new V1JobCondition { Type = "Failed", Status = "True", Reason = "BackoffLimitExceeded" }] };
        var d = Decide(Observe(o => o with { Jobs = [Job(o, status: failed)], Pods = PodDiagnosis.Of([crashed]) }));
        var message = Condition(d, ConditionTypes.Failed).Message;
        Assert.Contains("exited with code 1 (Error): loading s3://models/base/ | error: s3://models/base/model.safetensors: truncated", message);
    }
}
