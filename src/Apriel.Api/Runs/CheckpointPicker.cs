using Apriel.Api.V1Alpha1;

namespace Apriel.Api.Runs;

/// <summary>
/// Which checkpoints of a finished stage a merge input selects. Equispaced checkpoints are the ones at steps
/// ⌈i·total/K⌉ (i = 1..K) — the steps the trainer keeps for <c>retain.equispaced</c> — so K that divides the
/// stage's equispaced count picks a subset of what it kept.
/// </summary>
public static class CheckpointPicker
{
    /// <summary>The steps of K checkpoints equispaced over a run of <paramref name="totalSteps"/>; the last is the final step.</summary>
    public static IReadOnlyList<long> EquispacedSteps(long totalSteps, int count) =>
        [.. Enumerable.Range(1, count).Select(i => (i * totalSteps + count - 1) / count).Distinct()];

    /// <summary>
    /// The selected checkpoints, oldest first, or the reason they cannot be selected (which steps are missing).
    /// <paramref name="retained"/> are the stage's committed checkpoints; <paramref name="totalSteps"/> its step count.
    /// </summary>
    public static (IReadOnlyList<CheckpointRef> Selected, string? Error) Pick(CheckpointSelector selector, IReadOnlyList<CheckpointRef> retained, long totalSteps)
    {
        var ordered = retained.OrderBy(c => c.Step).ToList();
        switch (selector.Select)
        {
            case CheckpointSelection.All:
                return ordered.Count > 0 ? (ordered, null) : ([], "the stage kept no checkpoints");
            case CheckpointSelection.Last:
                var count = selector.Count ?? 1;
                return ordered.Count >= count
                    ? (ordered[^count..], null)
                    : ([], $"asks for the last {count} checkpoints but the stage kept {ordered.Count}");
            case CheckpointSelection.Equispaced:
                var steps = EquispacedSteps(totalSteps, selector.Count ?? 1);
                var byStep = ordered.ToDictionary(c => c.Step);
                var missing = steps.Where(s => !byStep.ContainsKey(s)).ToList();
                return missing.Count == 0
                    ? ([.. steps.Select(s => byStep[s])], null)
                    : ([], $"needs checkpoints at steps {string.Join(", ", steps)} but steps {string.Join(", ", missing)} were not kept");
            default:
                throw new ArgumentException("Final selects the stage's model, not checkpoints", nameof(selector));
        }
    }
}
