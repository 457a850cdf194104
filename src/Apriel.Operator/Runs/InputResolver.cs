using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Operator.Runtime;

namespace Apriel.Operator.Runs;

/// <summary>
/// Resolves model sources to pinned inputs: a reference to the referenced resource's committed output (from the
/// caches), a URI to its committed MANIFEST.json digest (from the store). Also answers what a reference's
/// resource looks like, for the planner's dependency check.
/// </summary>
public sealed class InputResolver(ObjectCache<TrainingStage> stages, ObjectCache<ModelMerge> merges, IRunArtifacts artifacts, OperatorSettings settings)
{
    /// <summary>The referenced stage or merge as the planner needs to see it.</summary>
    public DependencyState Dependency(ResourceRef reference, string? @namespace)
    {
        var status = Status(reference, @namespace, out var exists);
        return new DependencyState(reference, exists, status?.Phase, status?.Output);
    }

    /// <summary>The referenced stage, when it exists.</summary>
    public TrainingStage? Stage(string name, string? @namespace) => stages.Get(new ObjectKey(@namespace, name));

    /// <summary>The input <paramref name="source"/> stands for, in role <paramref name="role"/>; null with an error when it is not available.</summary>
    public async Task<(ResolvedInput? Input, string? Error)> ResolveAsync(ModelSource source, string role, string? @namespace, CancellationToken cancellationToken)
    {
        if (source.Reference is { } reference)
        {
            var output = Status(reference, @namespace, out _)?.Output;
            return output == null
                ? (null, $"{reference} has no committed output yet")
                : (new ResolvedInput { Role = role, Source = reference.ToString(), Uri = output.Uri, Digest = output.Digest }, null);
        }
        if (source.Uri is not { } uri) return (null, $"{role} names no stage, merge or URI");
        var absolute = ArtifactLayout.Resolve(settings.ArtifactRoot, uri);
        var (artifact, error) = await artifacts.ResolveAsync(absolute, source.Digest, cancellationToken);
        return artifact == null ? (null, error) : (new ResolvedInput { Role = role, Source = uri, Uri = artifact.Uri, Digest = artifact.Digest }, null);
    }

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
