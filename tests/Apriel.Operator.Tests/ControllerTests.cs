using Apriel.Operator.Runtime;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Serilog;

namespace Apriel.Operator.Tests;

public sealed class ControllerTests
{
    static readonly ILogger Log = new LoggerConfiguration().CreateLogger();

    sealed class ScriptedReconciler(params Func<ReconcileResult>[] outcomes) : IReconciler
    {
        public int Calls;

        public Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken) =>
            Task.FromResult(outcomes[Math.Min(Calls++, outcomes.Length - 1)]());
    }

    sealed class RecordingMetrics : IControllerMetrics
    {
        public readonly List<string> Results = [];
        public void Reconciled(string controller, string result, TimeSpan duration) => Results.Add(result);
    }

    [Fact]
    public async Task Errors_retry_with_backoff_and_success_forgets_them()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue(new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)), time);
        var reconciler = new ScriptedReconciler(() => throw new IOException("api down"), () => throw new IOException("api down"), () => ReconcileResult.Done);
        var metrics = new RecordingMetrics();
        var controller = new Controller("test", reconciler, queue, Log, metrics: metrics);

        await controller.ReconcileAsync("ns/a", CancellationToken.None);
        Assert.Equal(1, queue.Failures("ns/a"));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, queue.Depth);
        await controller.ReconcileAsync("ns/a", CancellationToken.None);
        Assert.Equal(2, queue.Failures("ns/a"));
        await controller.ReconcileAsync("ns/a", CancellationToken.None);
        Assert.Equal(0, queue.Failures("ns/a"));
        Assert.Equal(["error", "error", "success"], metrics.Results);
    }

    [Fact]
    public async Task Terminal_errors_are_not_retried_and_requeue_after_is_honoured()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue(time: time);
        var controller = new Controller("test", new ScriptedReconciler(() => throw new TerminalException("bad spec"), () => ReconcileResult.After(TimeSpan.FromMinutes(1))), queue, Log);

        await controller.ReconcileAsync("ns/a", CancellationToken.None);
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, queue.Depth);
        await controller.ReconcileAsync("ns/a", CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, queue.Depth);
    }

    [Fact]
    public async Task Run_processes_queued_keys_and_stops_cleanly()
    {
        using var queue = new WorkQueue();
        var reconciler = new ScriptedReconciler(() => ReconcileResult.Done);
        var controller = new Controller("test", reconciler, queue, Log);
        queue.Add("ns/a");
        queue.Add("ns/b");
        using var cts = new CancellationTokenSource();
        var run = controller.RunAsync(cts.Token);
        for (var i = 0; reconciler.Calls < 2 && i < 1000; i++) await Task.Delay(10);
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, reconciler.Calls);
    }

    static V1Job Job(string name, long generation = 1, string rv = "1", string? status = null, string? owner = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name, NamespaceProperty = "ns", Generation = generation, ResourceVersion = rv,
            OwnerReferences = owner == null ? null : [new V1OwnerReference { Kind = "TrainingStage", Name = owner, Controller = true, Uid = "u", ApiVersion = "apriel.dev/v1alpha1" }],
        },
        Status = new V1JobStatus { Active = status == null ? null : 1 },
    };

    [Fact]
    public void Status_only_updates_do_not_enqueue_the_object_itself()
    {
        using var queue = new WorkQueue();
        var handler = EventHandlers.EnqueueSelf<V1Job>(queue);
        handler(new ObjectChange<V1Job>(Job("a"), Job("a", rv: "2", status: "running")));
        Assert.Equal(0, queue.Depth);
        handler(new ObjectChange<V1Job>(Job("a"), Job("a", generation: 2, rv: "3")));
        handler(new ObjectChange<V1Job>(null, Job("b")));
        Assert.Equal(2, queue.Depth);
    }

    [Fact]
    public async Task Child_changes_enqueue_their_controlling_owner()
    {
        using var queue = new WorkQueue();
        var handler = EventHandlers.EnqueueOwner<V1Job>(queue, "TrainingStage");
        handler(new ObjectChange<V1Job>(Job("upscale-abc-1", owner: "upscale"), Job("upscale-abc-1", rv: "2", status: "running", owner: "upscale")));
        handler(new ObjectChange<V1Job>(Job("orphan"), null));
        Assert.Equal(1, queue.Depth);
        Assert.Equal("ns/upscale", await queue.GetAsync(CancellationToken.None));
    }
}
