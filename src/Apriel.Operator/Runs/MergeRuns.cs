using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Operator.Jobs;
using Apriel.Operator.Runtime;

namespace Apriel.Operator.Runs;

/// <summary>
/// ModelMerges as runs: every input resolved (a stage's final model or the checkpoints its selector picks, a
/// merge's output, a URI) and merged by <c>apriel-trainer merge</c> in one CPU pod.
/// </summary>
public sealed class MergeRuns(IUpstream upstream, OperatorSettings settings) : IRunKind<ModelMerge>
{
    /// <inheritdoc/>
    public ResourceType Type => ResourceType.ModelMerges;

    /// <inheritdoc/>
    public RunResource View(ModelMerge merge) => ViewOf(merge);

    /// <summary>The parts of a merge the planner decides on.</summary>
    public static RunResource ViewOf(ModelMerge merge) => new()
    {
        Kind = ModelMerge.KindName,
        Metadata = merge.Metadata,
        Status = merge.Status,
        Source = $"{merge.Spec.Method}(" + string.Join(", ", merge.Spec.Inputs.Select(Describe)) + ")",
        RetryLimit = merge.Spec.RetryLimit,
        RetentionPolicy = merge.Spec.RetentionPolicy,
    };

    static string Describe(MergeInput input) =>
        input.ToString() + (input.Checkpoints is { Select: not CheckpointSelection.Final } c ? $"@{c.Select}{c.Count}" : "");

    /// <inheritdoc/>
    public IEnumerable<ResourceRef> References(ModelMerge merge) =>
        (merge.Spec?.Inputs ?? []).Select(i => i?.Reference).Append(merge.Spec?.Base?.Reference).OfType<ResourceRef>(); // null-safe, as for stages

    /// <inheritdoc/>
    public async Task<(ResolvedRun? Run, string? Error)> ResolveAsync(ModelMerge merge, CancellationToken cancellationToken)
    {
        var (task, error) = await RunResolver.MergeAsync(merge, upstream, settings.ArtifactRoot, cancellationToken);
        return task == null ? (null, error)
            : (new ResolvedRun(task.RunId, RunResolver.Inputs(task), task.Output, TrainerJobBuilder.Build(merge, task, settings)), null);
    }

    /// <inheritdoc/>
    public void SetStatus(ModelMerge merge, RunStatus status) => merge.Status = status;
}
