namespace Apriel.Testing;

/// <summary>Polling helpers for "wait until the cluster gets there" checks.</summary>
public static class Poll
{
    /// <summary>
    /// Calls <paramref name="probe"/> until it returns a non-null value and returns that value.
    /// Exceptions from the probe count as "not yet". On timeout, throws with <paramref name="what"/>
    /// and the last probe exception; if <paramref name="watched"/> exits meanwhile, throws with its log.
    /// </summary>
    public static async Task<T> ForAsync<T>(
        string what, Func<CancellationToken, Task<T?>> probe, TimeSpan timeout,
        CancellationToken cancellationToken = default, params ChildProcess[] watched)
        where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (true)
        {
            foreach (var process in watched)
            {
                process.EnsureRunning($"waiting for {what}");
            }
            try
            {
                if (await probe(cancellationToken) is { } value)
                {
                    return value;
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                last = e;
            }
            if (DateTime.UtcNow > deadline)
            {
                var logs = string.Concat(watched.Select(p => $"\nLast lines of {p.LogPath}:\n{p.LogTail()}"));
                throw new TimeoutException(
                    $"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}." +
                    (last is null ? "" : $" Last error: {last.GetType().Name}: {last.Message}") + logs, last);
            }
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Like <see cref="ForAsync{T}"/> for a boolean condition.</summary>
    public static Task UntilAsync(
        string what, Func<CancellationToken, Task<bool>> condition, TimeSpan timeout,
        CancellationToken cancellationToken = default, params ChildProcess[] watched) =>
        ForAsync(what, async ct => await condition(ct) ? "" : null, timeout, cancellationToken, watched);
}
