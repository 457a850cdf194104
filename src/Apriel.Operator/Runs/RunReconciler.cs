using System.Text.Json;
using Apriel.Api.Manifests;
using Apriel.Api.Validation;
using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;
using Apriel.Operator.Cluster;
using Apriel.Operator.Jobs;
using Apriel.Operator.Runtime;
using Apriel.Operator.Status;
using k8s;
using k8s.Models;
using Serilog;

namespace Apriel.Operator.Runs;

/// <summary>
/// The reconcilers' I/O shell, for stages and merges alike: observe (caches, artifact store), decide
/// (<see cref="RunPlanner"/>), act (finalizers, Jobs, artifacts, events, status). Reads come from the informers'
/// caches; only writes go to the API server.
/// </summary>
public sealed class RunReconciler<T>(
    IRunKind<T> kind,
    ObjectCache<T> resources,
    ObjectCache<V1Job> jobs,
    ObjectCache<V1Pod> pods,
    IRunArtifacts artifacts,
    InputResolver inputs,
    ClusterWriter cluster,
    OperatorSettings settings,
    ILogger log,
    TimeProvider? time = null) : IReconciler
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    readonly TimeProvider _time = time ?? TimeProvider.System;
    readonly ObjectCache<V1Pod> _pods = RunPods.Indexed(pods);

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        if (resources.Get(key) is not { } resource) return ReconcileResult.Done; // gone: owner references clean up
        var observation = await ObserveAsync(resource, cancellationToken);
        var now = _time.GetUtcNow().UtcDateTime;
        var decision = RunPlanner.Decide(observation, settings, now);

        foreach (var action in decision.Actions) await ActAsync(resource, action, cancellationToken);
        foreach (var e in decision.Events)
            await cluster.RecordEventAsync(resource, e.Warning, e.Reason, e.Message, now, cancellationToken);
        if (decision.Status is { } status && !SameStatus(observation.Resource.Status, status))
        {
            kind.SetStatus(resource, status);
            await cluster.UpdateStatusAsync(resource, kind.Type, cancellationToken);
        }
        return new ReconcileResult(decision.RequeueAfter);
    }

    async Task ActAsync(T resource, RunAction action, CancellationToken cancellationToken)
    {
        var ns = resource.Metadata.NamespaceProperty;
        switch (action)
        {
            case RunAction.CreateJob create:
                await cluster.CreateAsync(create.Objects, cancellationToken);
                log.Information("Created Job {Job}", create.Objects.Job.Metadata.Name);
                break;
            case RunAction.DeleteJob delete:
                await cluster.DeleteJobAsync(ns, delete.JobName, delete.WaitForPods, cancellationToken);
                log.Information("Deleted Job {Job}: {Reason}", delete.JobName, delete.Reason);
                break;
            case RunAction.AddFinalizer:
                await cluster.SetFinalizersAsync(resource, kind.Type, [.. resource.Metadata.Finalizers ?? [], RunPlanner.ArtifactsFinalizer], cancellationToken);
                break;
            case RunAction.RemoveFinalizer:
                await cluster.SetFinalizersAsync(resource, kind.Type, [.. (resource.Metadata.Finalizers ?? []).Where(f => f != RunPlanner.ArtifactsFinalizer)], cancellationToken);
                break;
            case RunAction.DeleteArtifacts artifactsToDelete:
                var count = await artifacts.DeleteDirectoryAsync(artifactsToDelete.Directory, cancellationToken);
                log.Information("Deleted {Count} objects under {Directory}", count, artifactsToDelete.Directory);
                break;
        }
    }

    async Task<RunObservation> ObserveAsync(T resource, CancellationToken cancellationToken)
    {
        var view = kind.View(resource);
        var errors = ResourceValidator.Validate(resource);
        var observation = new RunObservation
        {
            Resource = view,
            SpecErrors = errors,
            Jobs = resource.Metadata.Uid is { } uid ? jobs.OwnedBy(uid) : [],
        };
        if (errors.Count > 0 || view.Metadata.DeletionTimestamp != null) return observation;

        var dependencies = kind.References(resource).Distinct().Select(r => inputs.Dependency(r, view.Metadata.NamespaceProperty)).ToList();
        observation = observation with { Dependencies = dependencies };
        if (dependencies.Any(d => !d.IsReady)) return observation;

        var (run, error) = await kind.ResolveAsync(resource, cancellationToken);
        if (run == null) return observation with { ResolveError = error };
        return observation with
        {
            Run = run,
            Pods = PodDiagnosis.Of(RunPods.Of(_pods, view.Metadata.NamespaceProperty, view.Metadata.Name, run.RunId)),
            CommittedOutput = await artifacts.CommittedModelAsync(run.Output, cancellationToken),
            Progress = await artifacts.ProgressAsync(run.Output, cancellationToken),
            Checkpoints = await artifacts.CheckpointsAsync(run.Output, cancellationToken),
        };
    }

    // Status objects compare by reference for their lists; the wire form is what matters.
    static bool SameStatus(RunStatus? a, RunStatus b) =>
        a != null && JsonSerializer.Serialize(a, a.GetType(), ApiJson.Options) == JsonSerializer.Serialize(b, b.GetType(), ApiJson.Options);
}
