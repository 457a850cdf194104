namespace Apriel.Operator.Runtime;

/// <summary>
/// Brings one object's world in line with its spec. Called with a key, never with an event: it reads the
/// current state and acts, so running it twice with nothing changed does nothing. Throwing retries the key
/// with backoff; <see cref="TerminalException"/> is logged and not retried.
/// </summary>
public interface IReconciler
{
    /// <summary>Reconciles the object named by <paramref name="key"/> (which may no longer exist).</summary>
    Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken);
}

/// <summary>What the controller does after a successful reconcile.</summary>
public readonly record struct ReconcileResult(TimeSpan? RequeueAfter)
{
    /// <summary>Nothing more until the next event.</summary>
    public static readonly ReconcileResult Done = new(null);

    /// <summary>Reconcile again after <paramref name="delay"/> even without an event (e.g. to poll progress).</summary>
    public static ReconcileResult After(TimeSpan delay) => new(delay);
}

/// <summary>An error that retrying cannot fix (e.g. a spec the operator refuses); the key is not retried.</summary>
public sealed class TerminalException(string message, Exception? inner = null) : Exception(message, inner);
