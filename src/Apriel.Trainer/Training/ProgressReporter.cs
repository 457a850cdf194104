using System.Globalization;
using Apriel.Api.V1Alpha1;

namespace Apriel.Trainer.Training;

/// <summary>
/// Writes progress.json (<see cref="Progress"/>, the fields the operator mirrors into status) at most every
/// <paramref name="interval"/> and whenever <see cref="Report"/> is called (checkpoints, the end), and a log line with it.
/// Loss and tokens/s are over the steps since the previous report; the ETA extrapolates that pace.
/// </summary>
public sealed class ProgressReporter(IRunOutput output, long total, TimeSpan interval, TimeProvider time, TextWriter log)
{
    private long lastTimestamp = time.GetTimestamp();
    private long lastTokens = -1;
    private long lastStep;
    private double lossSum;
    private int lossCount;

    public Progress? Last { get; private set; }

    /// <summary>Records a finished step; reports when the interval has passed.</summary>
    public void Step(long step, long tokens, double loss, double learningRate)
    {
        lossSum += loss;
        lossCount++;
        if (time.GetElapsedTime(lastTimestamp) >= interval) Report(step, tokens, learningRate);
    }

    public void Report(long step, long tokens, double learningRate)
    {
        if (Last?.Step == step && lossCount == 0) return; // nothing new since the last report
        var now = time.GetTimestamp();
        var seconds = time.GetElapsedTime(lastTimestamp, now).TotalSeconds;
        if (lastTokens < 0) lastTokens = tokens;
        double? rate = seconds > 0 && tokens > lastTokens ? (tokens - lastTokens) / seconds : Last?.TokensPerSecond;
        double? secondsPerStep = step > lastStep && seconds > 0 ? seconds / (step - lastStep) : null;
        Last = new Progress
        {
            Step = step,
            Total = total,
            Percent = (int)(100 * step / Math.Max(1, total)),
            Tokens = tokens,
            Loss = lossCount > 0 ? lossSum / lossCount : Last?.Loss,
            LearningRate = learningRate,
            TokensPerSecond = rate,
            EtaSeconds = secondsPerStep is { } s ? (long)Math.Round(s * (total - step)) : Last?.EtaSeconds,
            UpdatedAt = time.GetUtcNow().UtcDateTime,
        };
        output.WriteProgress(Last);
        log.WriteLine(Line(Last));
        (lastTimestamp, lastTokens, lastStep, lossSum, lossCount) = (now, tokens, step, 0, 0);
    }

    // Loss, pace and ETA are unknown before the first step: left out rather than printed empty.
    private static string Line(Progress p)
    {
        static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
        var parts = new List<string> { Invariant($"step {p.Step}/{p.Total}") };
        if (p.Loss is { } loss) parts.Add(Invariant($"loss {loss:F4}"));
        parts.Add(Invariant($"lr {p.LearningRate:G3}"));
        parts.Add(Invariant($"tokens {p.Tokens}"));
        if (p.TokensPerSecond is { } rate) parts.Add(Invariant($"tok/s {rate:F0}"));
        if (p.EtaSeconds is { } eta) parts.Add(Invariant($"eta {eta}s"));
        return string.Join(' ', parts);
    }
}
