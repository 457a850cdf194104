using Apriel.Api.V1Alpha1;

namespace Apriel.Trainer.Training;

/// <summary>
/// The learning rate of optimizer step s (0-based; step s turns the weights of s steps into those of s + 1), for a run of
/// <see cref="Total"/> steps:
/// <code>
///   warmup  s &lt; W:  peak · (s + 1) / W                        (the first step already moves; step W − 1 is at the peak)
///   after   p = (s − W) / (Total − W) ∈ [0, 1):
///     Constant  peak
///     Linear    peak · (m + (1 − m) · (1 − p))
///     Cosine    peak · (m + (1 − m) · ½ (1 + cos πp))           m = the minimum ratio
/// </code>
/// The decay starts at the peak at step W and would reach the floor at step Total, one past the last step, so no step is
/// spent at a learning rate of 0. W is round(warmupRatio · Total) or warmupSteps (at most Total).
/// </summary>
public sealed record LearningRateSchedule(ScheduleKind Kind, double Peak, long Warmup, long Total, double MinRatio)
{
    public static LearningRateSchedule From(ScheduleSpec spec, double peak, long total)
    {
        if (total <= 0) throw new ArgumentOutOfRangeException(nameof(total), "a run has at least one step");
        var warmup = spec.WarmupSteps ?? (long)Math.Round((spec.WarmupRatio ?? 0) * total, MidpointRounding.AwayFromZero);
        return new LearningRateSchedule(spec.Type, peak, Math.Min(warmup, total), total, spec.MinLearningRateRatio);
    }

    public double At(long step)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step));
        if (step < Warmup) return Peak * (step + 1) / Warmup;
        var p = Math.Min(1.0, (double)(step - Warmup) / Math.Max(1, Total - Warmup));
        var shape = Kind switch
        {
            ScheduleKind.Constant => 1.0,
            ScheduleKind.Linear => 1 - p,
            ScheduleKind.Cosine => 0.5 * (1 + Math.Cos(Math.PI * p)),
            _ => throw new ArgumentOutOfRangeException(nameof(Kind)),
        };
        return Kind == ScheduleKind.Constant ? Peak : Peak * (MinRatio + (1 - MinRatio) * shape);
    }
}
