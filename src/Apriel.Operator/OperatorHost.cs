using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;
using Apriel.Operator.Cluster;
using Apriel.Operator.Jobs;
using Apriel.Operator.Runtime;
using Apriel.Operator.Runs;
using k8s;
using k8s.Models;
using Serilog;

namespace Apriel.Operator;

/// <summary>
/// Wires the operator: informers for stages, merges and Jobs; a controller for each kind, woken by its own
/// changes, by its Jobs (owner references) and by the stages and merges it reads.
/// </summary>
public static class OperatorHost
{
    /// <summary>The manager with every informer and controller added, ready to run.</summary>
    public static Manager Build(Kubernetes client, IArtifactStore store, OperatorOptions options, ILogger log)
    {
        var ns = options.WatchNamespace;
        var stages = new Informer<TrainingStage>(new ApiListWatch<TrainingStage>(client, ResourceType.TrainingStages, ns), "trainingstages", log);
        var merges = new Informer<ModelMerge>(new ApiListWatch<ModelMerge>(client, ResourceType.ModelMerges, ns), "modelmerges", log);
        var jobs = new Informer<V1Job>(new ApiListWatch<V1Job>(client, ResourceType.Jobs, ns), "jobs", log);
        // Only the trainer pods: why they wait or fail goes into status.
        var pods = new Informer<V1Pod>(new ApiListWatch<V1Pod>(client, ResourceType.Pods, ns, $"{Labels.ManagedBy}={Labels.Operator}"), "pods", log);

        var writer = new ClusterWriter(client);
        var artifacts = new StoreRunArtifacts(store);
        var inputs = new InputResolver(stages.Cache, merges.Cache, artifacts);

        // One controller per kind, woken by its own changes, by what it reads, by its Jobs and by their pods.
        Controller Run<T>(string name, string kind, Informer<T> own, IRunKind<T> runs) where T : class, IKubernetesObject<V1ObjectMeta>
        {
            var metrics = new RuntimeMetrics(name);
            var queue = new WorkQueue { Metrics = metrics };
            own.Subscribe(EventHandlers.EnqueueSelf<T>(queue));
            stages.Subscribe(Dependents.Enqueue<TrainingStage, T>(own.Cache, runs, queue, ResourceKind.TrainingStage));
            merges.Subscribe(Dependents.Enqueue<ModelMerge, T>(own.Cache, runs, queue, ResourceKind.ModelMerge));
            jobs.Subscribe(EventHandlers.EnqueueOwner<V1Job>(queue, kind));
            pods.Subscribe(EventHandlers.EnqueueLabelled<V1Pod>(queue, Labels.Kind, kind, Labels.Resource));
            var reconciler = new RunReconciler<T>(runs, own.Cache, jobs.Cache, pods.Cache, artifacts, inputs, writer, options.Settings, log.ForContext("Controller", name));
            return new Controller(name, reconciler, queue, log, options.Workers, metrics);
        }
        var stageController = Run("trainingstage", TrainingStage.KindName, stages, new StageRuns(inputs, options.Settings));
        var mergeController = Run("modelmerge", ModelMerge.KindName, merges, new MergeRuns(inputs, options.Settings));

        PhaseMetrics.Register(stages.Cache, merges.Cache);

        var leaderElection = options.LeaderElection
            ? new LeaderElectionOptions(options.LeaseNamespace, "apriel-operator", Environment.MachineName + "-" + Guid.NewGuid().ToString("N")[..6])
            : null;
        var manager = new Manager(client, log, leaderElection);
        manager.Add(stages);
        manager.Add(merges);
        manager.Add(jobs);
        manager.Add(pods);
        manager.Add(stageController);
        manager.Add(mergeController);
        return manager;
    }
}
