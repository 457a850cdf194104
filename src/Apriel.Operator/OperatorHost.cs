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
        var stageRuns = new StageRuns(inputs, options.Settings);
        var mergeRuns = new MergeRuns(inputs, options.Settings);

        var stageMetrics = new RuntimeMetrics("trainingstage");
        var stageQueue = new WorkQueue { Metrics = stageMetrics };
        stages.Subscribe(EventHandlers.EnqueueSelf<TrainingStage>(stageQueue));
        stages.Subscribe(Dependents.Enqueue<TrainingStage, TrainingStage>(stages.Cache, stageRuns, stageQueue, ResourceKind.TrainingStage));
        merges.Subscribe(Dependents.Enqueue<ModelMerge, TrainingStage>(stages.Cache, stageRuns, stageQueue, ResourceKind.ModelMerge));
        jobs.Subscribe(EventHandlers.EnqueueOwner<V1Job>(stageQueue, TrainingStage.KindName));
        pods.Subscribe(EventHandlers.EnqueueLabelled<V1Pod>(stageQueue, Labels.Kind, TrainingStage.KindName, Labels.Resource));
        var stageReconciler = new RunReconciler<TrainingStage>(stageRuns, stages.Cache, jobs.Cache, pods.Cache, artifacts, inputs, writer,
            options.Settings, log.ForContext("Controller", "trainingstage"));

        var mergeMetrics = new RuntimeMetrics("modelmerge");
        var mergeQueue = new WorkQueue { Metrics = mergeMetrics };
        merges.Subscribe(EventHandlers.EnqueueSelf<ModelMerge>(mergeQueue));
        stages.Subscribe(Dependents.Enqueue<TrainingStage, ModelMerge>(merges.Cache, mergeRuns, mergeQueue, ResourceKind.TrainingStage));
        merges.Subscribe(Dependents.Enqueue<ModelMerge, ModelMerge>(merges.Cache, mergeRuns, mergeQueue, ResourceKind.ModelMerge));
        jobs.Subscribe(EventHandlers.EnqueueOwner<V1Job>(mergeQueue, ModelMerge.KindName));
        pods.Subscribe(EventHandlers.EnqueueLabelled<V1Pod>(mergeQueue, Labels.Kind, ModelMerge.KindName, Labels.Resource));
        var mergeReconciler = new RunReconciler<ModelMerge>(mergeRuns, merges.Cache, jobs.Cache, pods.Cache, artifacts, inputs, writer,
            options.Settings, log.ForContext("Controller", "modelmerge"));

        PhaseMetrics.Register(stages.Cache, merges.Cache);

        var leaderElection = options.LeaderElection
            ? new LeaderElectionOptions(options.LeaseNamespace, "apriel-operator", Environment.MachineName + "-" + Guid.NewGuid().ToString("N")[..6])
            : null;
        var manager = new Manager(client, log, leaderElection);
        manager.Add(stages);
        manager.Add(merges);
        manager.Add(jobs);
        manager.Add(pods);
        manager.Add(new Controller("trainingstage", stageReconciler, stageQueue, log, options.Workers, stageMetrics));
        manager.Add(new Controller("modelmerge", mergeReconciler, mergeQueue, log, options.Workers, mergeMetrics));
        return manager;
    }
}
