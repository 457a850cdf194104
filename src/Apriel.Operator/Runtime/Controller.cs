using System.Diagnostics;
using Serilog;
using Serilog.Context;

namespace Apriel.Operator.Runtime;

/// <summary>
/// Runs a reconciler over a work queue with a fixed number of workers. The queue guarantees that one key is
/// never reconciled twice at once; errors back off per key; a success forgets the key's failures.
/// </summary>
public sealed class Controller(string name, IReconciler reconciler, WorkQueue queue, ILogger log, int workers = 2, IControllerMetrics? metrics = null)
{
    readonly IControllerMetrics _metrics = metrics ?? IControllerMetrics.None;

    /// <summary>The controller's name, used in logs and metrics.</summary>
    public string Name => name;

    /// <summary>The queue events are mapped into.</summary>
    public WorkQueue Queue => queue;

    /// <summary>Processes keys until cancelled, then shuts the queue down and waits for reconciles in flight.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var running = Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkAsync(cancellationToken), CancellationToken.None)).ToList();
        try { await Task.Delay(Timeout.Infinite, cancellationToken); }
        catch (OperationCanceledException) { }
        queue.ShutDown();
        await Task.WhenAll(running);
    }

    async Task WorkAsync(CancellationToken cancellationToken)
    {
        while (await queue.GetAsync(CancellationToken.None) is { } key)
        {
            try { await ReconcileAsync(key, cancellationToken); }
            finally { queue.Done(key); }
        }
    }

    internal async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        using var _ = LogContext.PushProperty("Controller", name);
        using var __ = LogContext.PushProperty("Key", key);
        using var ___ = LogContext.PushProperty("ReconcileId", Guid.NewGuid().ToString("N")[..8]);
        var clock = Stopwatch.StartNew();
        try
        {
            var result = await reconciler.ReconcileAsync(ObjectKey.Parse(key), cancellationToken);
            queue.Forget(key);
            if (result.RequeueAfter is { } delay) queue.AddAfter(key, delay);
            _metrics.Reconciled(name, "success", clock.Elapsed);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _metrics.Reconciled(name, "cancelled", clock.Elapsed);
        }
        catch (TerminalException e)
        {
            queue.Forget(key);
            log.Error(e, "Reconcile failed and will not be retried: {Message}", e.Message);
            _metrics.Reconciled(name, "terminal_error", clock.Elapsed);
        }
        catch (Exception e)
        {
            queue.AddRateLimited(key);
            log.Warning(e, "Reconcile failed; retry {Attempt} with backoff", queue.Failures(key));
            _metrics.Reconciled(name, "error", clock.Elapsed);
        }
    }
}

/// <summary>Receives reconcile outcomes; the operator binds it to Prometheus.</summary>
public interface IControllerMetrics
{
    /// <summary>A sink that records nothing.</summary>
    static readonly IControllerMetrics None = new NoMetrics();

    /// <summary>One reconcile ended with <paramref name="result"/> (success, error, terminal_error, cancelled).</summary>
    void Reconciled(string controller, string result, TimeSpan duration);

    private sealed class NoMetrics : IControllerMetrics
    {
        public void Reconciled(string controller, string result, TimeSpan duration) { }
    }
}
