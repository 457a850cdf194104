using k8s;
using Serilog;

namespace Apriel.Operator.Runtime;

/// <summary>
/// Hosts the runtime's parts: informers run on every replica (so a new leader starts with warm caches);
/// controllers run only on the leader; the probe server reports readiness once every cache has synced.
/// </summary>
public sealed class Manager(IKubernetes client, ILogger log, LeaderElectionOptions? leaderElection)
{
    readonly List<Func<CancellationToken, Task>> _informers = [];
    readonly List<Task> _synced = [];
    readonly List<Controller> _controllers = [];

    /// <summary>Whether every informer has filled its cache.</summary>
    public bool Ready => _synced.All(t => t.IsCompletedSuccessfully);

    /// <summary>Adds an informer; start order does not matter.</summary>
    public void Add<T>(Informer<T> informer) where T : class, IKubernetesObject<k8s.Models.V1ObjectMeta>
    {
        _informers.Add(informer.RunAsync);
        _synced.Add(informer.Synced);
    }

    /// <summary>Adds a controller; it starts once the caches are synced and this replica leads.</summary>
    public void Add(Controller controller) => _controllers.Add(controller);

    /// <summary>
    /// Runs until cancelled (returns 0) or until leadership is lost (returns 1, so the pod restarts as a
    /// candidate).
    /// </summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var informers = _informers.Select(run => Task.Run(() => run(stop.Token), CancellationToken.None)).ToList();
        var lost = false;
        try
        {
            await Task.WhenAll(_synced).WaitAsync(stop.Token);
            log.Information("Caches synced; {Count} controllers ready", _controllers.Count);
            if (leaderElection == null) await RunControllersAsync(stop.Token);
            else lost = await LeaderElection.RunAsync(client, leaderElection, RunControllersAsync, log, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        await stop.CancelAsync();
        await Task.WhenAll(informers);
        log.Information("Stopped{Reason}", lost ? " after losing the lease" : "");
        return lost ? 1 : 0;
    }

    Task RunControllersAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_controllers.Select(c => c.RunAsync(cancellationToken)));
}
