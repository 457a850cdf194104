using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;

namespace Apriel.Trainer.Merging;

/// <summary>
/// A merge's progress in tensors written: a log line every tenth, and the run's <c>progress.json</c> (what the operator
/// mirrors into <c>status.progress</c>) at the start, at most every <paramref name="interval"/> and at the end. The ETA
/// extrapolates the pace since the start.
/// </summary>
public sealed class MergeProgress(IArtifactStore run, TimeSpan interval, TimeProvider time, TextWriter log)
{
    private readonly long started = time.GetTimestamp();
    private long? written;
    private int loggedTenths;

    /// <summary>Records that <paramref name="done"/> of <paramref name="total"/> tensors are written.</summary>
    public void Report(int done, int total)
    {
        var tenths = done * 10 / Math.Max(1, total);
        if (tenths > loggedTenths)
        {
            loggedTenths = tenths;
            log.WriteLine($"merge: {done}/{total} tensors");
        }
        if (written is { } last && done < total && time.GetElapsedTime(last) < interval) return;
        var elapsed = time.GetElapsedTime(started).TotalSeconds;
        ProgressFile.WriteAsync(run, "", new Progress
        {
            Step = done,
            Total = total,
            Percent = (int)(100L * done / Math.Max(1, total)),
            EtaSeconds = done > 0 ? (long)Math.Round(elapsed / done * (total - done)) : null,
            UpdatedAt = time.GetUtcNow().UtcDateTime,
        }).GetAwaiter().GetResult();
        written = time.GetTimestamp();
    }
}
