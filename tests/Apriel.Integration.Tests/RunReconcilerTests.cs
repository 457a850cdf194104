using System.Text.Json;
using Apriel.Api.Manifests;
using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Operator.Jobs;
using Apriel.Operator.Runs;
using Apriel.Operator.Status;
using Apriel.Testing;
using k8s;

namespace Apriel.Integration.Tests;

/// <summary>
/// The stage and merge reconcilers against a real API server, Job controller and garbage collector and a real
/// (local-directory) artifact store; the test plays the trainer by committing each run's model.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class RunReconcilerTests(ControlPlaneFixture fixture)
{
    static readonly TimeSpan Timeout = ReconcilerHarness.Timeout;

    [Fact]
    public async Task Stage_gets_a_job_then_succeeds_on_the_committed_model_and_is_not_trained_again()
    {
        await using var h = await ReconcilerHarness.StartAsync(fixture.ControlPlane, "rec", "examples/tiny/00-base.yaml");

        // 1. A Job for the run.
        await h.StageAsync("base");
        var job = await h.JobOfAsync("base");
        var runId = job.Metadata.Labels[Labels.RunId];
        var stage = await h.WaitForAsync(h.Stages, "base", "status in the cache", s => s.Status?.RunId != null);
        Assert.Equal((Phase.Pending, runId, 1L), (stage.Status!.Phase!.Value, stage.Status.RunId, stage.Status.ObservedGeneration!.Value));
        Assert.Equal("init/tiny", stage.Status.Source);

        // 2. The "trainer" commits the final model; the stage succeeds with its digest.
        var committed = await h.CommitModelAsync(TrainingStage.KindName, "base", runId);
        await h.StageAsync("base");
        stage = await h.WaitForAsync(h.Stages, "base", "Succeeded", s => s.Status?.Phase == Phase.Succeeded);
        Assert.Equal(committed.Digest, stage.Status!.Output!.Digest);

        // 3. Memoization: with the Job gone, reconciling again adopts the output instead of training again.
        await h.Client.BatchV1.DeleteNamespacedJobAsync(job.Metadata.Name, h.Namespace, propagationPolicy: "Background");
        await Poll.UntilAsync("the Job to leave the cache", _ => Task.FromResult(h.Jobs.Cache.Count == 0), Timeout);
        await h.StageAsync("base");
        Assert.Empty((await h.Client.BatchV1.ListNamespacedJobAsync(h.Namespace)).Items);

        var events = await h.Client.CoreV1.ListNamespacedEventAsync(h.Namespace);
        Assert.Contains(events.Items, e => e.InvolvedObject.Name == "base" && e.Reason == "JobCreated");
        Assert.Contains(events.Items, e => e.InvolvedObject.Name == "base" && e.Reason == "Completed");
    }

    [Fact]
    public async Task Merge_waits_for_its_stage_then_runs_on_its_pinned_output()
    {
        await using var h = await ReconcilerHarness.StartAsync(fixture.ControlPlane, "merge", "examples/tiny/00-base.yaml", "examples/tiny/01-upscale-init.yaml");

        await h.MergeAsync("upscale-init");
        var waiting = await h.WaitForAsync(h.Merges, "upscale-init", "Waiting", m => m.Status?.Phase == Phase.Waiting);
        Assert.Contains("stage/base to succeed", Conditions.Find(waiting.Status!.Conditions, ConditionTypes.DependenciesReady)!.Message);
        Assert.Equal("Passthrough(stage/base, stage/base)", waiting.Status.Source);

        await h.StageAsync("base");
        var baseRun = (await h.JobOfAsync("base")).Metadata.Labels[Labels.RunId];
        var baseModel = await h.CommitModelAsync(TrainingStage.KindName, "base", baseRun);
        await h.StageAsync("base");
        await h.WaitForAsync(h.Stages, "base", "Succeeded", s => s.Status?.Phase == Phase.Succeeded);

        await h.MergeAsync("upscale-init");
        var job = await h.JobOfAsync("upscale-init");
        var task = JsonSerializer.Deserialize<MergeTask>((await h.Client.CoreV1.ReadNamespacedConfigMapAsync(job.Metadata.Name, h.Namespace)).Data["task.json"], ApiJson.Options)!;
        Assert.Equal([baseModel.Digest, baseModel.Digest], task.Inputs.Select(i => i.Model.Digest));
        Assert.Equal([new LayerRange { Start = 0, End = 3 }, new LayerRange { Start = 1, End = 4 }], task.Inputs.Select(i => i.Layers));
        Assert.Equal(["merge", "--task", TrainerJobBuilder.TaskPath], job.Spec.Template.Spec.Containers[0].Command.Skip(1));

        var output = await h.CommitModelAsync(ModelMerge.KindName, "upscale-init", task.RunId);
        await h.MergeAsync("upscale-init");
        var merged = await h.WaitForAsync(h.Merges, "upscale-init", "Succeeded", m => m.Status?.Phase == Phase.Succeeded);
        Assert.Equal(output, merged.Status!.Output);
        Assert.Equal(2, merged.Status.Inputs!.Count);
    }

    [Fact]
    public async Task Deleting_a_stage_with_retention_delete_removes_its_artifacts_and_then_the_stage()
    {
        await using var h = await ReconcilerHarness.StartAsync(fixture.ControlPlane, "retain", "examples/tiny/00-base.yaml");
        var patched = await fixture.ControlPlane.KubectlAsync("patch", "-n", h.Namespace, "trainingstage", "base", "--type=merge", "-p", """{"spec":{"retentionPolicy":"Delete","resources":{"nodeSelector":{"pool":"none"}}}}""");
        Assert.True(patched.Succeeded, patched.ToString());
        // (A pod that no node takes can be deleted without a kubelet; the Job's foreground deletion then completes.)
        await h.WaitForAsync(h.Stages, "base", "the patch", s => s.Spec.RetentionPolicy == RetentionPolicy.Delete);

        await h.StageAsync("base");
        await h.WaitForAsync(h.Stages, "base", "the finalizer", s => s.Metadata.Finalizers?.Contains(RunPlanner.ArtifactsFinalizer) == true);
        var runId = (await h.JobOfAsync("base")).Metadata.Labels[Labels.RunId];
        await h.CommitModelAsync(TrainingStage.KindName, "base", runId);
        await h.StageAsync("base");
        await h.WaitForAsync(h.Stages, "base", "Succeeded", s => s.Status?.Phase == Phase.Succeeded);
        Assert.NotEmpty(await h.Store.ListAsync(ArtifactLayout.Runs(h.Namespace, "base")));

        await h.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(ApiGroup.Group, ApiGroup.Version, h.Namespace, "trainingstages", "base");
        await h.WaitForAsync(h.Stages, "base", "the deletion", s => s.Metadata.DeletionTimestamp != null);
        await h.StageAsync("base"); // its Job goes first, waiting for the pods
        await Poll.UntilAsync("the Job to go", _ => Task.FromResult(h.Jobs.Cache.Count == 0), Timeout);
        await h.StageAsync("base"); // then the artifacts, then the finalizer
        Assert.Empty(await h.Store.ListAsync(ArtifactLayout.Runs(h.Namespace, "base")));
        await Poll.UntilAsync("the stage to go", _ => Task.FromResult(h.Stages.Cache.Count == 0), Timeout);
    }

    [Fact]
    public async Task A_spec_change_reruns_the_stage_and_then_what_reads_it()
    {
        await using var h = await ReconcilerHarness.StartAsync(fixture.ControlPlane, "rerun", "examples/tiny/00-base.yaml", "examples/tiny/01-upscale-init.yaml");
        async Task<string> SucceedAsync(string kind, string name, Func<Task> reconcile)
        {
            await reconcile();
            var runId = await Poll.ForAsync($"a run of {name}", _ => Task.FromResult(
                kind == TrainingStage.KindName ? h.Stages.Cache.Get(new(h.Namespace, name))?.Status?.RunId : h.Merges.Cache.Get(new(h.Namespace, name))?.Status?.RunId), Timeout);
            await h.CommitModelAsync(kind, name, runId);
            await reconcile();
            return runId;
        }
        var baseRun = await SucceedAsync(TrainingStage.KindName, "base", () => h.StageAsync("base"));
        await h.WaitForAsync(h.Stages, "base", "Succeeded", s => s.Status?.Phase == Phase.Succeeded);
        var mergeRun = await SucceedAsync(ModelMerge.KindName, "upscale-init", () => h.MergeAsync("upscale-init"));
        await h.WaitForAsync(h.Merges, "upscale-init", "Succeeded", m => m.Status?.Phase == Phase.Succeeded);

        // A new seed: a new run of base, and the merge, whose input digest changes, follows.
        var patched = await fixture.ControlPlane.KubectlAsync("patch", "-n", h.Namespace, "trainingstage", "base", "--type=merge", "-p", """{"spec":{"seed":7}}""");
        Assert.True(patched.Succeeded, patched.ToString());
        await h.WaitForAsync(h.Stages, "base", "generation 2", s => s.Metadata.Generation == 2);
        await h.StageAsync("base");
        var rerun = await h.WaitForAsync(h.Stages, "base", "a new run", s => s.Status?.RunId is { } id && id != baseRun);
        Assert.Null(rerun.Status!.Output); // the old output is not this run's
        await h.MergeAsync("upscale-init"); // base is not Succeeded now: the merge waits instead of merging stale inputs
        await h.WaitForAsync(h.Merges, "upscale-init", "Waiting", m => m.Status?.Phase == Phase.Waiting);
        await h.CommitModelAsync(TrainingStage.KindName, "base", rerun.Status.RunId!);
        await h.StageAsync("base");
        await h.WaitForAsync(h.Stages, "base", "Succeeded again", s => s.Status?.Phase == Phase.Succeeded);
        await h.MergeAsync("upscale-init");
        var merge = await h.WaitForAsync(h.Merges, "upscale-init", "a new merge run", m => m.Status?.RunId is { } id && id != mergeRun);
        Assert.Contains("an input changed", Conditions.Find(merge.Status!.Conditions, ConditionTypes.Succeeded)!.Message);
    }
}
