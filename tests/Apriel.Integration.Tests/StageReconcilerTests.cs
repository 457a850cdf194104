using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;
using Apriel.Operator;
using Apriel.Operator.Cluster;
using Apriel.Operator.Jobs;
using Apriel.Operator.Runtime;
using Apriel.Operator.Stages;
using Apriel.Testing;
using k8s;
using k8s.Models;
using Serilog;

namespace Apriel.Integration.Tests;

/// <summary>
/// The stage reconciler against a real API server, Job controller and a real (local-directory) artifact store;
/// the test plays the trainer by committing the run's model.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class StageReconcilerTests(ControlPlaneFixture fixture)
{
    static readonly ILogger Log = new LoggerConfiguration().CreateLogger();
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    ControlPlane Cluster => fixture.ControlPlane;

    [Fact]
    public async Task Stage_gets_a_job_then_succeeds_on_the_committed_model_and_is_not_trained_again()
    {
        await Cluster.InstallCrdsAsync();
        var ns = await Cluster.CreateNamespaceAsync("rec");
        Assert.True((await Cluster.KubectlAsync("apply", "-n", ns, "-f", RepoPaths.Of("examples/tiny/00-base.yaml"))).Succeeded);
        using var dir = TestDirectory.Create("store");
        using var store = ArtifactStores.Open(new Uri(dir.FullPath + "/").AbsoluteUri);
        var settings = new OperatorSettings { TrainerImage = "apriel/trainer:test", ArtifactRoot = store.Root, S3SecretName = "apriel-s3" };

        using var client = Cluster.CreateClient();
        var stages = new Informer<TrainingStage>(new ApiListWatch<TrainingStage>(client, ResourceType.TrainingStages, ns), "trainingstages", Log);
        var merges = new Informer<ModelMerge>(new ApiListWatch<ModelMerge>(client, ResourceType.ModelMerges, ns), "modelmerges", Log);
        var jobs = new Informer<V1Job>(new ApiListWatch<V1Job>(client, ResourceType.Jobs, ns), "jobs", Log);
        using var cts = new CancellationTokenSource();
        var running = new[] { stages.RunAsync(cts.Token), merges.RunAsync(cts.Token), jobs.RunAsync(cts.Token) };
        await Task.WhenAll(stages.Synced, merges.Synced, jobs.Synced).WaitAsync(Timeout);
        var reconciler = new StageReconciler(stages.Cache, merges.Cache, jobs.Cache, new StoreRunArtifacts(store), new ClusterWriter(client), settings, Log);
        var key = new ObjectKey(ns, "base");

        // 1. A Job for the run.
        await reconciler.ReconcileAsync(key, cts.Token);
        var job = await Poll.ForAsync("the Job in the cache", _ => Task.FromResult(jobs.Cache.List().FirstOrDefault()), Timeout);
        var runId = job.Metadata.Labels[Labels.RunId];
        var stage = await Poll.ForAsync("status in the cache", _ => Task.FromResult(stages.Cache.Get(key) is { Status.RunId: not null } s ? s : null), Timeout);
        Assert.Equal((Phase.Pending, runId, 1L), (stage.Status!.Phase!.Value, stage.Status.RunId, stage.Status.ObservedGeneration!.Value));
        Assert.Equal("init/tiny", stage.Status.Source);

        // 2. The "trainer" commits the final model; the stage succeeds with its digest.
        var model = dir.Subdirectory("model-out");
        await File.WriteAllTextAsync(Path.Combine(model, "config.json"), "{}");
        var committed = await new ArtifactCommitter(store).CommitAsync(model, ArtifactLayout.Run(ns, "base", runId) + ArtifactLayout.Model,
            new ArtifactLineage { Kind = TrainingStage.KindName, Namespace = ns, Name = "base", RunId = runId });
        await reconciler.ReconcileAsync(key, cts.Token);
        stage = await Poll.ForAsync("Succeeded in the cache", _ => Task.FromResult(stages.Cache.Get(key) is { Status.Phase: Phase.Succeeded } s ? s : null), Timeout);
        Assert.Equal(committed.Digest, stage.Status!.Output!.Digest);

        // 3. Memoization: with the Job gone, reconciling again adopts the output instead of training again.
        await client.BatchV1.DeleteNamespacedJobAsync(job.Metadata.Name, ns, propagationPolicy: "Background");
        await Poll.UntilAsync("the Job to leave the cache", _ => Task.FromResult(jobs.Cache.Count == 0), Timeout);
        await reconciler.ReconcileAsync(key, cts.Token);
        Assert.Empty((await client.BatchV1.ListNamespacedJobAsync(ns)).Items);

        var events = await client.CoreV1.ListNamespacedEventAsync(ns);
        Assert.Contains(events.Items, e => e.InvolvedObject.Name == "base" && e.Reason == "JobCreated");
        Assert.Contains(events.Items, e => e.InvolvedObject.Name == "base" && e.Reason == "Completed");
        await cts.CancelAsync();
        await Task.WhenAll(running);
    }
}
