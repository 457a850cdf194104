namespace Apriel.Operator.Runtime;

/// <summary>
/// A work queue of object keys (<c>namespace/name</c>), after client-go's: a key is queued at most once, a
/// key being processed is never handed out again until <see cref="Done"/> (an add meanwhile re-queues it
/// then), keys can be added after a delay, and failing keys back off exponentially per key.
/// </summary>
public sealed class WorkQueue : IDisposable
{
    readonly object _lock = new();
    readonly Queue<string> _queue = new();
    readonly HashSet<string> _dirty = [];      // queued, or to be re-queued when processing ends
    readonly HashSet<string> _processing = [];
    readonly Dictionary<string, int> _failures = [];
    readonly SemaphoreSlim _available = new(0);
    readonly TimeProvider _time;
    readonly Backoff _backoff;
    readonly CancellationTokenSource _shutdown = new();

    /// <summary>A queue with the given backoff (defaults: 5 ms doubling to 1000 s, as controller-runtime).</summary>
    public WorkQueue(Backoff? backoff = null, TimeProvider? time = null)
    {
        _backoff = backoff ?? Backoff.Default;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Observes queue activity (for metrics): adds, retries and depth changes.</summary>
    public IWorkQueueMetrics Metrics { get; init; } = IWorkQueueMetrics.None;

    /// <summary>Keys waiting to be processed.</summary>
    public int Depth { get { lock (_lock) return _queue.Count; } }

    /// <summary>Queues a key unless it is already queued.</summary>
    public void Add(string key)
    {
        lock (_lock)
        {
            if (_shutdown.IsCancellationRequested || !_dirty.Add(key)) return;
            Metrics.Added();
            if (_processing.Contains(key)) return; // Done() re-queues it
            Enqueue(key);
        }
    }

    /// <summary>Queues a key after a delay (a requeue that matters for time, e.g. a deadline).</summary>
    public void AddAfter(string key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero) { Add(key); return; }
        _ = DelayThenAdd(key, delay);
    }

    /// <summary>Queues a key after its next backoff delay; each call without <see cref="Forget"/> doubles it.</summary>
    public void AddRateLimited(string key)
    {
        int failures;
        lock (_lock)
        {
            failures = _failures.GetValueOrDefault(key);
            _failures[key] = failures + 1;
        }
        Metrics.Retried();
        AddAfter(key, _backoff.Delay(failures));
    }

    /// <summary>Clears a key's failure count (after a successful reconcile).</summary>
    public void Forget(string key)
    {
        lock (_lock) _failures.Remove(key);
    }

    /// <summary>How many times the key has failed since it was last forgotten.</summary>
    public int Failures(string key)
    {
        lock (_lock) return _failures.GetValueOrDefault(key);
    }

    /// <summary>Waits for the next key and marks it processing; null once the queue is shut down.</summary>
    public async Task<string?> GetAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
        try { await _available.WaitAsync(linked.Token); }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested) { return null; }
        lock (_lock)
        {
            var key = _queue.Dequeue();
            _dirty.Remove(key);
            _processing.Add(key);
            Metrics.DepthChanged(_queue.Count);
            return key;
        }
    }

    /// <summary>Ends processing of a key; if it was added meanwhile, it is queued again.</summary>
    public void Done(string key)
    {
        lock (_lock)
        {
            _processing.Remove(key);
            if (_dirty.Contains(key) && !_shutdown.IsCancellationRequested) Enqueue(key);
        }
    }

    /// <summary>Stops handing out keys; waiting <see cref="GetAsync"/> calls return null.</summary>
    public void ShutDown() => _shutdown.Cancel();

    /// <inheritdoc/>
    public void Dispose()
    {
        _shutdown.Cancel();
        _shutdown.Dispose();
        _available.Dispose();
    }

    void Enqueue(string key)
    {
        _queue.Enqueue(key);
        Metrics.DepthChanged(_queue.Count);
        _available.Release();
    }

    async Task DelayThenAdd(string key, TimeSpan delay)
    {
        try { await Task.Delay(delay, _time, _shutdown.Token); }
        catch (OperationCanceledException) { return; }
        Add(key);
    }
}

/// <summary>Per-key exponential backoff: <c>min(initial · 2^failures, max)</c>.</summary>
public sealed record Backoff(TimeSpan Initial, TimeSpan Max)
{
    /// <summary>controller-runtime's defaults: 5 ms doubling up to 1000 s.</summary>
    public static readonly Backoff Default = new(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000));

    /// <summary>The delay before retry number <paramref name="failures"/> + 1.</summary>
    public TimeSpan Delay(int failures) =>
        TimeSpan.FromTicks((long)Math.Min(Initial.Ticks * Math.Pow(2, Math.Min(failures, 62)), Max.Ticks));
}

/// <summary>Receives work-queue events; the operator binds it to Prometheus counters and gauges.</summary>
public interface IWorkQueueMetrics
{
    /// <summary>A metrics sink that records nothing.</summary>
    static readonly IWorkQueueMetrics None = new NoMetrics();

    /// <summary>A key was added (not counted when already queued).</summary>
    void Added();

    /// <summary>A key was re-queued with backoff after a failure.</summary>
    void Retried();

    /// <summary>The number of queued keys changed.</summary>
    void DepthChanged(int depth);

    private sealed class NoMetrics : IWorkQueueMetrics
    {
        public void Added() { }
        public void Retried() { }
        public void DepthChanged(int depth) { }
    }
}
