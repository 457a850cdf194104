using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;
using Apriel.Operator.Runtime;

namespace Apriel.Operator.Runs;

/// <summary>
/// The operator's <see cref="IUpstream"/>: referenced stages and merges from the informer caches (their status
/// says what they committed), URIs from the artifact store. Also answers what a reference's resource looks like,
/// for the planner's dependency check.
/// </summary>
public sealed class InputResolver(ObjectCache<TrainingStage> stages, ObjectCache<ModelMerge> merges, IRunArtifacts artifacts) : IUpstream
{
    /// <summary>The referenced stage or merge as the planner needs to see it.</summary>
    public DependencyState Dependency(ResourceRef reference, string? @namespace)
    {
        var status = Status(reference, @namespace, out var exists);
        return new DependencyState(reference, exists, status?.Phase, status?.Output);
    }

    /// <inheritdoc/>
    public UpstreamOutput? Output(ResourceRef reference, string? @namespace) =>
        Status(reference, @namespace, out _) is { Phase: Phase.Succeeded, Output: { } model } status
            ? new UpstreamOutput(model, (status as TrainingStageStatus)?.Checkpoints ?? [], status.Progress?.Total)
            : null;

    /// <inheritdoc/>
    public Task<(ArtifactRef? Artifact, string? Error)> ResolveUriAsync(string uri, string? pinned, CancellationToken cancellationToken) =>
        artifacts.ResolveAsync(uri, pinned, cancellationToken);

    RunStatus? Status(ResourceRef reference, string? @namespace, out bool exists)
    {
        var key = new ObjectKey(@namespace, reference.Name);
        if (reference.Kind == ResourceKind.TrainingStage)
        {
            var stage = stages.Get(key);
            exists = stage != null;
            return stage?.Status;
        }
        var merge = merges.Get(key);
        exists = merge != null;
        return merge?.Status;
    }
}
