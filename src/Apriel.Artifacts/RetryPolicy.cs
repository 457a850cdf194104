namespace Apriel.Artifacts;

/// <summary>
/// Retries an operation on transient errors (<see cref="TransientErrors"/>) with exponential backoff: the n-th retry
/// waits <see cref="InitialDelay"/> × 2^(n-1), capped at <see cref="MaxDelay"/>, with jitter so that many pods
/// hitting one busy server spread out. The delay function is injectable so that tests do not sleep.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>6 attempts, 0.25 s doubling to at most 20 s (about 40 s of waiting in all), with jitter.</summary>
    public static RetryPolicy Default { get; } = new();

    /// <summary>One attempt, no retry.</summary>
    public static RetryPolicy None { get; } = new() { MaxAttempts = 1 };

    /// <summary>Attempts in all, the first included; at least 1.</summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>Wait before the first retry.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Cap of a single wait.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>When true, each wait is drawn uniformly from [delay/2, delay].</summary>
    public bool Jitter { get; init; } = true;

    /// <summary>How to wait; tests replace it to record delays instead of sleeping.</summary>
    public Func<TimeSpan, CancellationToken, Task> Delay { get; init; } = Task.Delay;

    /// <summary>Which errors to retry.</summary>
    public Func<Exception, bool> IsTransient { get; init; } = TransientErrors.IsTransient;

    /// <summary>Told of each retry (attempt number that failed, its error, the wait); for logging. Must not throw.</summary>
    public Action<int, Exception, TimeSpan>? OnRetry { get; init; }

    /// <summary>The wait before retry number <paramref name="retry"/> (1-based), before jitter.</summary>
    public TimeSpan BackoffFor(int retry)
    {
        var factor = Math.Pow(2, Math.Min(retry - 1, 30));
        var ticks = Math.Min(InitialDelay.Ticks * factor, MaxDelay.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>
    /// Runs <paramref name="operation"/> until it succeeds, fails with a permanent error, or runs out of attempts;
    /// the last error is rethrown as it was. Cancellation of <paramref name="cancellationToken"/> is never retried.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<int, CancellationToken, Task<T>> operation, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await operation(attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (attempt < MaxAttempts
                && !cancellationToken.IsCancellationRequested && IsTransient(error))
            {
                var wait = BackoffFor(attempt);
                if (Jitter) wait = TimeSpan.FromTicks(wait.Ticks / 2 + (long)(Random.Shared.NextDouble() * (wait.Ticks / 2)));
                OnRetry?.Invoke(attempt, error, wait);
                await Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc cref="RunAsync{T}(Func{int, CancellationToken, Task{T}}, CancellationToken)"/>
    public Task RunAsync(Func<int, CancellationToken, Task> operation, CancellationToken cancellationToken = default) =>
        RunAsync<bool>(async (attempt, ct) =>
        {
            await operation(attempt, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
}
