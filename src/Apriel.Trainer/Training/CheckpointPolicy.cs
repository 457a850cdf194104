using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;

namespace Apriel.Trainer.Training;

/// <summary>
/// When checkpoints are written and which are kept (a pure function of the spec and the run length). Written: every
/// <c>interval</c> steps, and at the K equispaced steps ⌈i · total / K⌉, i = 1..K (the set a later average needs). Kept once
/// a newer one is committed: the equispaced ones, those at multiples of <c>retain.every</c>, and the last
/// <c>retain.last</c> (at least the newest, which a restart resumes from).
/// </summary>
public sealed class CheckpointPolicy(CheckpointSpec spec, long total)
{
    /// <summary>The equispaced steps, computed as merges select them (<see cref="CheckpointPicker"/>).</summary>
    public IReadOnlySet<long> Equispaced { get; } = CheckpointPicker.EquispacedSteps(total, spec.Retain.Equispaced).ToHashSet();

    /// <summary>Whether a checkpoint is due after step <paramref name="step"/> (steps done).</summary>
    public bool Due(long step) => step > 0 && (step % spec.Interval == 0 || Equispaced.Contains(step));

    /// <summary>The committed checkpoints (steps) that the retention rules no longer keep.</summary>
    public IReadOnlyList<long> Obsolete(IEnumerable<long> committed)
    {
        var steps = committed.Order().ToList();
        var last = steps.TakeLast(Math.Max(1, spec.Retain.Last)).ToHashSet();
        return steps.Where(s => !last.Contains(s) && !Equispaced.Contains(s) && !(spec.Retain.Every > 0 && s % spec.Retain.Every == 0)).ToList();
    }
}
