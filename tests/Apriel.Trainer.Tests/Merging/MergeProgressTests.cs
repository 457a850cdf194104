using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;
using Apriel.Trainer.Merging;
using Microsoft.Extensions.Time.Testing;

namespace Apriel.Trainer.Tests.Merging;

public sealed class MergeProgressTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Should_write_progress_at_the_start_then_at_most_every_interval_and_at_the_end()
    {
        var store = new LocalArtifactStore(dir.File("run"));
        var time = new FakeTimeProvider();
        var log = new StringWriter();
        var progress = new MergeProgress(store, TimeSpan.FromSeconds(5), time, log);
        Progress? Written() => ProgressFile.ReadAsync(store, "").GetAwaiter().GetResult();

        progress.Report(0, 20);
        var first = Written();
        time.Advance(TimeSpan.FromSeconds(2));
        progress.Report(4, 20);
        var withinInterval = Written();
        time.Advance(TimeSpan.FromSeconds(3));
        progress.Report(5, 20);
        var afterInterval = Written();
        progress.Report(20, 20);

        Assert.Equal((0L, 20L, 0, (long?)null), (first!.Step, first.Total, first.Percent, first.EtaSeconds));
        Assert.Equal(0, withinInterval!.Step);
        Assert.Equal((5L, 25, (long?)15), (afterInterval!.Step, afterInterval.Percent, afterInterval.EtaSeconds)); // 5 s for 5 tensors
        Assert.Equal((20L, 100, (long?)0), (Written()!.Step, Written()!.Percent, Written()!.EtaSeconds));
        Assert.Equal(["merge: 4/20 tensors", "merge: 20/20 tensors"], log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
