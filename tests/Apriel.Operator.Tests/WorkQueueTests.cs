using Apriel.Operator.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace Apriel.Operator.Tests;

public sealed class WorkQueueTests
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_key_is_queued_once()
    {
        using var queue = new WorkQueue();
        queue.Add("ns/a");
        queue.Add("ns/a");
        queue.Add("ns/b");
        Assert.Equal(2, queue.Depth);
        Assert.Equal("ns/a", await queue.GetAsync(CancellationToken.None));
        Assert.Equal("ns/b", await queue.GetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_key_being_processed_is_requeued_only_when_done()
    {
        using var queue = new WorkQueue();
        queue.Add("ns/a");
        var key = await queue.GetAsync(CancellationToken.None);
        queue.Add("ns/a");
        queue.Add("ns/a");
        Assert.Equal(0, queue.Depth); // not handed to a second worker while the first holds it
        queue.Done(key!);
        Assert.Equal(1, queue.Depth);
        Assert.Equal("ns/a", await queue.GetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Delayed_add_waits_for_the_delay()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue(time: time);
        queue.AddAfter("ns/a", TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, queue.Depth);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("ns/a", await queue.GetAsync(new CancellationTokenSource(Timeout).Token));
    }

    [Fact]
    public void Backoff_doubles_per_failure_up_to_the_maximum()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1));
        Assert.Equal([5, 10, 20, 40], Enumerable.Range(0, 4).Select(i => backoff.Delay(i).TotalMilliseconds).ToArray());
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Delay(100));
    }

    [Fact]
    public async Task Rate_limited_adds_back_off_per_key_until_forgotten()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue(new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)), time);
        queue.AddRateLimited("ns/a"); // 1 s
        time.Advance(TimeSpan.FromSeconds(1));
        queue.Done((await queue.GetAsync(CancellationToken.None))!);
        queue.AddRateLimited("ns/a"); // 2 s
        time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Equal(0, queue.Depth);
        time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Equal(1, queue.Depth);
        Assert.Equal(2, queue.Failures("ns/a"));
        queue.Forget("ns/a");
        Assert.Equal(0, queue.Failures("ns/a"));
    }

    [Fact]
    public async Task Shutdown_releases_waiting_workers()
    {
        using var queue = new WorkQueue();
        var waiting = queue.GetAsync(CancellationToken.None);
        queue.ShutDown();
        Assert.Null(await waiting.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Concurrent_workers_never_process_one_key_twice_at_once()
    {
        using var queue = new WorkQueue();
        var active = new HashSet<string>();
        var overlaps = 0;
        var processed = 0;
        async Task Worker()
        {
            while (await queue.GetAsync(CancellationToken.None) is { } key)
            {
                lock (active) if (!active.Add(key)) overlaps++;
                await Task.Yield();
                queue.Add(key); // an event arriving mid-reconcile
                lock (active) active.Remove(key);
                if (Interlocked.Increment(ref processed) >= 400) queue.ShutDown();
                queue.Done(key);
            }
        }
        for (var i = 0; i < 8; i++) queue.Add($"ns/{i}");
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(Worker))).WaitAsync(Timeout);
        Assert.Equal(0, overlaps);
        Assert.True(processed >= 400);
    }
}
