using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;
using Apriel.Operator.Cluster;
using Apriel.Operator.Runtime;
using Apriel.Operator.Stages;
using k8s;
using k8s.Models;
using Serilog;

namespace Apriel.Operator;

/// <summary>
/// Wires the operator: informers for stages, merges and Jobs; the stage controller, woken by its own changes,
/// by its Jobs (owner references) and by the stages and merges it starts from.
/// </summary>
public static class OperatorHost
{
    /// <summary>The manager with every informer and controller added, ready to run.</summary>
    public static Manager Build(Kubernetes client, IArtifactStore store, OperatorOptions options, ILogger log, IApiRequestCounter? requests = null)
    {
        var ns = options.WatchNamespace;
        var stages = new Informer<TrainingStage>(new ApiListWatch<TrainingStage>(client, ResourceType.TrainingStages, ns, requests), "trainingstages", log);
        var merges = new Informer<ModelMerge>(new ApiListWatch<ModelMerge>(client, ResourceType.ModelMerges, ns, requests), "modelmerges", log);
        var jobs = new Informer<V1Job>(new ApiListWatch<V1Job>(client, ResourceType.Jobs, ns, requests), "jobs", log);

        var metrics = new RuntimeMetrics("trainingstage");
        var stageQueue = new WorkQueue { Metrics = metrics };
        stages.Subscribe(EventHandlers.EnqueueSelf<TrainingStage>(stageQueue));
        stages.Subscribe(Dependents.EnqueueStagesUsing<TrainingStage>(stages.Cache, stageQueue, ResourceKind.TrainingStage));
        merges.Subscribe(Dependents.EnqueueStagesUsing<ModelMerge>(stages.Cache, stageQueue, ResourceKind.ModelMerge));
        jobs.Subscribe(EventHandlers.EnqueueOwner<V1Job>(stageQueue, TrainingStage.KindName));
        var reconciler = new StageReconciler(stages.Cache, merges.Cache, jobs.Cache, new StoreRunArtifacts(store), new ClusterWriter(client),
            options.Settings, log.ForContext("Controller", "trainingstage"));

        var leaderElection = options.LeaderElection
            ? new LeaderElectionOptions(options.LeaseNamespace, "apriel-operator", Environment.MachineName + "-" + Guid.NewGuid().ToString("N")[..6])
            : null;
        var manager = new Manager(client, log, leaderElection);
        manager.Add(stages);
        manager.Add(merges);
        manager.Add(jobs);
        manager.Add(new Controller("trainingstage", reconciler, stageQueue, log, options.Workers, metrics));
        return manager;
    }
}
