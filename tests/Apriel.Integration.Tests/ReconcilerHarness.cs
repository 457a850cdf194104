using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;
using Apriel.Operator;
using Apriel.Operator.Cluster;
using Apriel.Operator.Runs;
using Apriel.Operator.Runtime;
using Apriel.Testing;
using k8s;
using k8s.Models;
using Serilog;

namespace Apriel.Integration.Tests;

/// <summary>
/// Both reconcilers over informers on one namespace of the real API server and a local-directory artifact store,
/// called directly (no work queue) so a test decides when each runs; the test plays the trainer by committing.
/// </summary>
public sealed class ReconcilerHarness : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    static readonly ILogger Log = new LoggerConfiguration().CreateLogger();

    readonly TestDirectory _directory;
    readonly CancellationTokenSource _stop = new();
    readonly Task[] _informers;

    ReconcilerHarness(Kubernetes client, string ns, TestDirectory directory)
    {
        Client = client;
        Namespace = ns;
        _directory = directory;
        Store = ArtifactStores.Open(new Uri(directory.FullPath + "/").AbsoluteUri);
        Settings = new OperatorSettings { TrainerImage = "apriel/trainer:test", ArtifactRoot = Store.Root, S3SecretName = "apriel-s3" };
        Stages = new Informer<TrainingStage>(new ApiListWatch<TrainingStage>(client, ResourceType.TrainingStages, ns), "trainingstages", Log);
        Merges = new Informer<ModelMerge>(new ApiListWatch<ModelMerge>(client, ResourceType.ModelMerges, ns), "modelmerges", Log);
        Jobs = new Informer<V1Job>(new ApiListWatch<V1Job>(client, ResourceType.Jobs, ns), "jobs", Log);
        Pods = new Informer<V1Pod>(new ApiListWatch<V1Pod>(client, ResourceType.Pods, ns), "pods", Log);
        var artifacts = new StoreRunArtifacts(Store);
        var inputs = new InputResolver(Stages.Cache, Merges.Cache, artifacts);
        var writer = new ClusterWriter(client);
        StageReconciler = new RunReconciler<TrainingStage>(new StageRuns(inputs, Settings), Stages.Cache, Jobs.Cache, Pods.Cache, artifacts, inputs, writer, Settings, Log);
        MergeReconciler = new RunReconciler<ModelMerge>(new MergeRuns(inputs, Settings), Merges.Cache, Jobs.Cache, Pods.Cache, artifacts, inputs, writer, Settings, Log);
        _informers = [Stages.RunAsync(_stop.Token), Merges.RunAsync(_stop.Token), Jobs.RunAsync(_stop.Token), Pods.RunAsync(_stop.Token)];
    }

    public Kubernetes Client { get; }
    public string Namespace { get; }
    public IArtifactStore Store { get; }
    public OperatorSettings Settings { get; }
    public Informer<TrainingStage> Stages { get; }
    public Informer<ModelMerge> Merges { get; }
    public Informer<V1Job> Jobs { get; }
    public Informer<V1Pod> Pods { get; }
    public RunReconciler<TrainingStage> StageReconciler { get; }
    public RunReconciler<ModelMerge> MergeReconciler { get; }

    /// <summary>A fresh namespace with the CRDs installed and <paramref name="manifests"/> (repo paths) applied.</summary>
    public static async Task<ReconcilerHarness> StartAsync(ControlPlane cluster, string prefix, params string[] manifests)
    {
        await cluster.InstallCrdsAsync();
        var ns = await cluster.CreateNamespaceAsync(prefix);
        foreach (var manifest in manifests)
        {
            var applied = await cluster.KubectlAsync("apply", "-n", ns, "-f", RepoPaths.Of(manifest));
            Assert.True(applied.Succeeded, applied.ToString());
        }
        var harness = new ReconcilerHarness(cluster.CreateClient(), ns, TestDirectory.Create(prefix + "-store"));
        await Task.WhenAll(harness.Stages.Synced, harness.Merges.Synced, harness.Jobs.Synced, harness.Pods.Synced).WaitAsync(Timeout);
        return harness;
    }

    public Task StageAsync(string name) => ReconcileAsync(StageReconciler, name);

    public Task MergeAsync(string name) => ReconcileAsync(MergeReconciler, name);

    // As the controller's work queue does: a write that conflicts (the cache had not yet seen the resource's last
    // write) is retried once the cache has caught up.
    async Task ReconcileAsync(IReconciler reconciler, string name)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await reconciler.ReconcileAsync(new ObjectKey(Namespace, name), _stop.Token);
                return;
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict && attempt < 10)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), _stop.Token);
            }
        }
    }

    /// <summary>Waits until the cached stage or merge satisfies <paramref name="condition"/>.</summary>
    public Task<T> WaitForAsync<T>(Informer<T> informer, string name, string what, Func<T, bool> condition) where T : class, IKubernetesObject<V1ObjectMeta> =>
        Poll.ForAsync(what, _ => Task.FromResult(informer.Cache.Get(new ObjectKey(Namespace, name)) is { } o && condition(o) ? o : null), Timeout);

    /// <summary>The run's Job, once it is in the cache.</summary>
    public Task<V1Job> JobOfAsync(string owner) =>
        Poll.ForAsync($"the Job of {owner}", _ => Task.FromResult(Jobs.Cache.List().FirstOrDefault(j => j.Metadata.OwnerReferences?.Any(r => r.Name == owner) == true)), Timeout);

    /// <summary>Plays the trainer: commits a small model as the output of <paramref name="name"/>'s run.</summary>
    public async Task<ArtifactRef> CommitModelAsync(string kind, string name, string runId)
    {
        var model = _directory.Subdirectory($"out-{name}-{runId}");
        await File.WriteAllTextAsync(Path.Combine(model, "config.json"), "{}");
        var committed = await new ArtifactCommitter(Store).CommitAsync(model, ArtifactLayout.Run(Namespace, name, runId) + ArtifactLayout.Model,
            new ArtifactLineage { Kind = kind, Namespace = Namespace, Name = name, RunId = runId });
        return committed.ToRef();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_informers);
        Store.Dispose();
        Client.Dispose();
        _directory.Dispose();
    }
}
