using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Serilog;

namespace Apriel.Operator.Runtime;

/// <summary>Lease-based leader election settings (client-go's defaults).</summary>
public sealed record LeaderElectionOptions(string Namespace, string LeaseName, string Identity)
{
    /// <summary>How long a lease is valid without renewal.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps trying to renew before giving up.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often candidates retry.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>Runs work only while this replica holds the Lease; losing it cancels the work.</summary>
public static class LeaderElection
{
    /// <summary>
    /// Waits for the lease, then runs <paramref name="lead"/> with a token cancelled when the lease is lost or
    /// <paramref name="cancellationToken"/> ends. Returns true when leadership was lost (the process should exit
    /// and restart as a candidate, as controller-runtime does), false on cancellation.
    /// </summary>
    public static async Task<bool> RunAsync(IKubernetes client, LeaderElectionOptions options, Func<CancellationToken, Task> lead,
        ILogger log, CancellationToken cancellationToken)
    {
        var leaseLock = new LeaseLock(client, options.Namespace, options.LeaseName, options.Identity);
        using var elector = new LeaderElector(new LeaderElectionConfig(leaseLock)
        {
            LeaseDuration = options.LeaseDuration,
            RenewDeadline = options.RenewDeadline,
            RetryPeriod = options.RetryPeriod,
        });
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task work = Task.CompletedTask;
        elector.OnStartedLeading += () =>
        {
            log.Information("Acquired lease {Namespace}/{Lease} as {Identity}", options.Namespace, options.LeaseName, options.Identity);
            work = Task.Run(() => lead(leading.Token), CancellationToken.None);
        };
        elector.OnStoppedLeading += () =>
        {
            log.Warning("Lost lease {Namespace}/{Lease}; stopping reconciles", options.Namespace, options.LeaseName);
            leading.Cancel();
        };
        try { await elector.RunUntilLeadershipLostAsync(cancellationToken); }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
        await leading.CancelAsync();
        await work;
        return !cancellationToken.IsCancellationRequested;
    }
}
