using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Operator.Jobs;
using Apriel.Operator.Runtime;

namespace Apriel.Operator.Runs;

/// <summary>
/// ModelMerges as runs: every input resolved (a stage's final model or the checkpoints its selector picks, a
/// merge's output, a URI) and merged by <c>apriel-trainer merge</c> in one CPU pod.
/// </summary>
public sealed class MergeRuns(InputResolver inputs, OperatorSettings settings) : IRunKind<ModelMerge>
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
        merge.Spec.Inputs.Select(i => i.Reference).Append(merge.Spec.Base?.Reference).OfType<ResourceRef>();

    /// <inheritdoc/>
    public async Task<(ResolvedRun? Run, string? Error)> ResolveAsync(ModelMerge merge, CancellationToken cancellationToken)
    {
        var ns = merge.Metadata.NamespaceProperty;
        var resolved = new List<IReadOnlyList<ResolvedInput>>();
        for (var i = 0; i < merge.Spec.Inputs.Count; i++)
        {
            var (models, error) = await ResolveInputAsync(merge.Spec.Inputs[i], $"input.{i}", ns, cancellationToken);
            if (models == null) return (null, $"spec.inputs[{i}] ({merge.Spec.Inputs[i]}): {error}");
            resolved.Add(models);
        }
        ResolvedInput? @base = null;
        if (merge.Spec.Base is { } baseSource)
        {
            var (input, error) = await inputs.ResolveAsync(baseSource, "base", ns, cancellationToken);
            if (input == null) return (null, $"spec.base ({baseSource}): {error}");
            @base = input;
        }
        var task = TaskBuilder.ForMerge(merge, resolved, @base, settings.ArtifactRoot);
        var all = task.Inputs.Select(x => x.Model).Concat(@base == null ? [] : [@base]).ToList();
        return (new ResolvedRun(task.RunId, all, task.Output, TrainerJobBuilder.Build(merge, task, settings)), null);
    }

    // One input stands for one model, or for the checkpoints its selector picks from a stage's retained ones.
    async Task<(IReadOnlyList<ResolvedInput>? Models, string? Error)> ResolveInputAsync(MergeInput input, string role, string? ns, CancellationToken cancellationToken)
    {
        if (input.Checkpoints is not { Select: not CheckpointSelection.Final } selector)
        {
            var (model, error) = await inputs.ResolveAsync(input, role, ns, cancellationToken);
            return model == null ? (null, error) : ([model], null);
        }
        if (input.Stage is not { } stageName || inputs.Stage(stageName, ns) is not { Status: { } status })
            return (null, "checkpoint selection needs a TrainingStage that has run");
        var retained = status.Checkpoints ?? [];
        var total = status.Progress?.Total ?? (retained.Count > 0 ? retained.Max(c => c.Step) : 0);
        var (selected, pickError) = CheckpointPicker.Pick(selector, retained, total);
        if (pickError != null) return (null, pickError);
        return ([.. selected.Select(c => new ResolvedInput { Role = role, Source = $"stage/{stageName}@step-{c.Step}", Uri = c.Uri, Digest = c.Digest })], null);
    }

    /// <inheritdoc/>
    public void SetStatus(ModelMerge merge, RunStatus status) => merge.Status = status;
}
