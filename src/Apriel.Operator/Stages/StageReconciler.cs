using System.Text.Json;
using Apriel.Api.Manifests;
using Apriel.Api.Runs;
using Apriel.Api.Validation;
using Apriel.Api.V1Alpha1;
using Apriel.Operator.Cluster;
using Apriel.Operator.Runtime;
using k8s.Models;
using Serilog;

namespace Apriel.Operator.Stages;

/// <summary>
/// The stage reconciler's I/O shell: observe (caches, artifact store), decide (<see cref="StagePlanner"/>), act
/// (Jobs, events, status). Reads come from the informers' caches; only writes go to the API server.
/// </summary>
public sealed class StageReconciler(
    ObjectCache<TrainingStage> stages,
    ObjectCache<ModelMerge> merges,
    ObjectCache<V1Job> jobs,
    IRunArtifacts artifacts,
    ClusterWriter cluster,
    OperatorSettings settings,
    ILogger log,
    TimeProvider? time = null) : IReconciler
{
    readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        if (stages.Get(key) is not { } stage) return ReconcileResult.Done; // deleted: owner references clean up
        var observation = await ObserveAsync(stage, cancellationToken);
        var decision = StagePlanner.Decide(observation, settings, _time.GetUtcNow().UtcDateTime);

        foreach (var action in decision.Actions)
        {
            switch (action)
            {
                case JobAction.Create create:
                    await cluster.CreateAsync(create.Objects, cancellationToken);
                    log.Information("Created Job {Job}", create.Objects.Job.Metadata.Name);
                    break;
                case JobAction.Delete delete:
                    await cluster.DeleteJobAsync(key.Namespace!, delete.JobName, cancellationToken);
                    log.Information("Deleted Job {Job}: {Reason}", delete.JobName, delete.Reason);
                    break;
            }
        }
        foreach (var e in decision.Events)
            await cluster.RecordEventAsync(stage, e.Warning, e.Reason, e.Message, _time.GetUtcNow().UtcDateTime, cancellationToken);
        if (!SameStatus(stage.Status, decision.Status))
        {
            stage.Status = decision.Status;
            await cluster.UpdateStatusAsync(stage, cancellationToken);
        }
        return new ReconcileResult(decision.RequeueAfter);
    }

    async Task<StageObservation> ObserveAsync(TrainingStage stage, CancellationToken cancellationToken)
    {
        var errors = ResourceValidator.Validate(stage);
        var observation = new StageObservation
        {
            Stage = stage,
            SpecErrors = errors,
            Jobs = stage.Metadata.Uid is { } uid ? jobs.OwnedBy(uid) : [],
        };
        if (errors.Count > 0) return observation;

        var model = stage.Spec.Model;
        ResolvedInput? input = null;
        if (model.Reference is { } reference)
        {
            var dependency = Dependency(reference, stage.Metadata.NamespaceProperty);
            observation = observation with { Dependency = dependency };
            if (dependency.Output is not { } output || dependency.Phase != Phase.Succeeded) return observation;
            input = new ResolvedInput { Role = "model", Source = reference.ToString(), Uri = output.Uri, Digest = output.Digest };
        }
        else if (model.Uri is { } uri)
        {
            var absolute = ArtifactLayout.Resolve(settings.ArtifactRoot, uri);
            var (artifact, error) = await artifacts.ResolveAsync(absolute, model.Digest, cancellationToken);
            if (artifact == null) return observation with { ResolveError = error };
            input = new ResolvedInput { Role = "model", Source = uri, Uri = artifact.Uri, Digest = artifact.Digest };
        }

        var task = TaskBuilder.ForStage(stage, input, settings.ArtifactRoot);
        return observation with
        {
            Task = task,
            CommittedOutput = await artifacts.CommittedModelAsync(task.Output, cancellationToken),
            Progress = await artifacts.ProgressAsync(task.Output, cancellationToken),
            Checkpoints = await artifacts.CheckpointsAsync(task.Output, cancellationToken),
        };
    }

    DependencyState Dependency(ResourceRef reference, string? @namespace)
    {
        var key = new ObjectKey(@namespace, reference.Name);
        var (exists, status) = reference.Kind == ResourceKind.TrainingStage
            ? stages.Get(key) is { } stage ? (true, (RunStatus?)stage.Status) : (false, null)
            : merges.Get(key) is { } merge ? (true, merge.Status) : (false, null);
        return new DependencyState(reference, exists, status?.Phase, status?.Output);
    }

    // Status records compare by reference for their lists; the wire form is what matters.
    static bool SameStatus(TrainingStageStatus? a, TrainingStageStatus b) =>
        a != null && JsonSerializer.Serialize(a, ApiJson.Options) == JsonSerializer.Serialize(b, ApiJson.Options);
}
