using Apriel.Api.V1Alpha1;

namespace Apriel.Api.Runs;

/// <summary>The committed result of a referenced stage or merge, as its dependents need it.</summary>
/// <param name="Model">Its final model.</param>
/// <param name="Checkpoints">The checkpoints it kept (stages), oldest first.</param>
/// <param name="TotalSteps">The steps its run trained (stages), for equispaced selection.</param>
public sealed record UpstreamOutput(ArtifactRef Model, IReadOnlyList<CheckpointRef> Checkpoints, long? TotalSteps);

/// <summary>Where a resolver finds what a resource reads: the operator over its caches, the local runner over its own results.</summary>
public interface IUpstream
{
    /// <summary>The committed result of <paramref name="reference"/> in <paramref name="namespace"/>, or null when it has none yet.</summary>
    UpstreamOutput? Output(ResourceRef reference, string? @namespace);

    /// <summary>
    /// The committed model at an absolute URI, checked against <paramref name="pinned"/> when given; an error
    /// message (not an exception) when it is not committed, not reachable or does not match.
    /// </summary>
    Task<(ArtifactRef? Artifact, string? Error)> ResolveUriAsync(string uri, string? pinned, CancellationToken cancellationToken);
}

/// <summary>
/// Resolves a stage's or merge's inputs to pinned artifacts and builds its task: the one place the operator and
/// the local runner decide what a run reads, so both give it the same run id. An input that cannot be resolved
/// yet is an error message naming the spec field, not an exception.
/// </summary>
public static class RunResolver
{
    /// <summary>The stage's task, or why its model input is not available.</summary>
    public static async Task<(TrainingTask? Task, string? Error)> StageAsync(TrainingStage stage, IUpstream upstream, string storeRoot, CancellationToken cancellationToken)
    {
        ResolvedInput? model = null;
        if (stage.Spec.Model.Init == null)
        {
            var (input, error) = await ResolveAsync(stage.Spec.Model, "model", stage.Metadata.NamespaceProperty, upstream, storeRoot, cancellationToken);
            if (input == null) return (null, $"spec.model ({stage.Spec.Model}): {error}");
            model = input;
        }
        return (TaskBuilder.ForStage(stage, model, storeRoot), null);
    }

    /// <summary>The merge's task, or why one of its inputs is not available.</summary>
    public static async Task<(MergeTask? Task, string? Error)> MergeAsync(ModelMerge merge, IUpstream upstream, string storeRoot, CancellationToken cancellationToken)
    {
        var ns = merge.Metadata.NamespaceProperty;
        var resolved = new List<IReadOnlyList<ResolvedInput>>();
        for (var i = 0; i < merge.Spec.Inputs.Count; i++)
        {
            var input = merge.Spec.Inputs[i];
            var (models, error) = input.Checkpoints is { Select: not CheckpointSelection.Final } selector
                ? SelectCheckpoints(input, selector, $"input.{i}", ns, upstream)
                : await ResolveOneAsync(input, $"input.{i}", ns, upstream, storeRoot, cancellationToken);
            if (models == null) return (null, $"spec.inputs[{i}] ({input}): {error}");
            resolved.Add(models);
        }
        ResolvedInput? @base = null;
        if (merge.Spec.Base is { } source)
        {
            var (input, error) = await ResolveAsync(source, "base", ns, upstream, storeRoot, cancellationToken);
            if (input == null) return (null, $"spec.base ({source}): {error}");
            @base = input;
        }
        return (TaskBuilder.ForMerge(merge, resolved, @base, storeRoot), null);
    }

    /// <summary>Every input a merge task reads, in order: its models, then its base.</summary>
    public static IReadOnlyList<ResolvedInput> Inputs(MergeTask task) =>
        [.. task.Inputs.Select(x => x.Model), .. task.Base == null ? [] : new[] { task.Base }];

    static async Task<(IReadOnlyList<ResolvedInput>? Models, string? Error)> ResolveOneAsync(ModelSource source, string role, string? ns,
        IUpstream upstream, string storeRoot, CancellationToken cancellationToken)
    {
        var (model, error) = await ResolveAsync(source, role, ns, upstream, storeRoot, cancellationToken);
        return model == null ? (null, error) : ([model], null);
    }

    static (IReadOnlyList<ResolvedInput>? Models, string? Error) SelectCheckpoints(MergeInput input, CheckpointSelector selector, string role, string? ns, IUpstream upstream)
    {
        if (input.Reference is not { Kind: ResourceKind.TrainingStage } stage) return (null, "checkpoint selection needs a TrainingStage");
        if (upstream.Output(stage, ns) is not { } output) return (null, $"{stage} has not succeeded yet");
        var total = output.TotalSteps ?? (output.Checkpoints.Count > 0 ? output.Checkpoints.Max(c => c.Step) : 0);
        var (selected, error) = CheckpointPicker.Pick(selector, output.Checkpoints, total);
        return error != null
            ? (null, error)
            : ([.. selected.Select(c => new ResolvedInput { Role = role, Source = $"{stage}@step-{c.Step}", Uri = c.Uri, Digest = c.Digest })], null);
    }

    static async Task<(ResolvedInput? Input, string? Error)> ResolveAsync(ModelSource source, string role, string? ns,
        IUpstream upstream, string storeRoot, CancellationToken cancellationToken)
    {
        if (source.Reference is { } reference)
        {
            return upstream.Output(reference, ns) is { } output
                ? (new ResolvedInput { Role = role, Source = reference.ToString(), Uri = output.Model.Uri, Digest = output.Model.Digest }, null)
                : (null, $"{reference} has no committed output yet");
        }
        if (source.Uri is not { } uri) return (null, "names no stage, merge or URI");
        var (artifact, error) = await upstream.ResolveUriAsync(ArtifactLayout.Resolve(storeRoot, uri), source.Digest, cancellationToken);
        return artifact == null ? (null, error) : (new ResolvedInput { Role = role, Source = uri, Uri = artifact.Uri, Digest = artifact.Digest }, null);
    }
}
