using k8s;
using k8s.Models;
using Serilog;

namespace Apriel.Operator.Runtime;

/// <summary>A change the informer saw: the object before (null for adds) and after (null for deletes).</summary>
public sealed record ObjectChange<T>(T? Old, T? New) where T : class
{
    /// <summary>Whatever object the change is about.</summary>
    public T Object => (New ?? Old)!;
}

/// <summary>
/// Keeps an <see cref="ObjectCache{T}"/> in step with the API server and tells subscribers what changed: list,
/// then watch from the list's resourceVersion (bookmarks included), resume after disconnects from the last
/// resourceVersion seen, and list again when the server says it is too old (410 Gone). A re-list reports the
/// differences from the cache, so nothing is missed and nothing is reported twice.
/// </summary>
public sealed class Informer<T>(IListWatch<T> source, string name, ILogger log, Backoff? reconnect = null, TimeProvider? time = null)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    readonly List<Action<ObjectChange<T>>> _subscribers = [];
    readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly Backoff _reconnect = reconnect ?? new Backoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30));
    readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The objects seen so far.</summary>
    public ObjectCache<T> Cache { get; } = new();

    /// <summary>Completes when the first list has filled the cache.</summary>
    public Task Synced => _synced.Task;

    /// <summary>Lists performed so far (1 plus one per 410 Gone).</summary>
    public int Lists { get; private set; }

    /// <summary>Calls <paramref name="handler"/> for every change; subscribe before <see cref="RunAsync"/>.</summary>
    public void Subscribe(Action<ObjectChange<T>> handler) => _subscribers.Add(handler);

    /// <summary>Runs until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        string? resourceVersion = null;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (resourceVersion == null)
                {
                    var (items, listVersion) = await source.ListAsync(cancellationToken);
                    Replace(items);
                    Lists++;
                    resourceVersion = listVersion;
                    _synced.TrySetResult();
                }
                await foreach (var e in source.WatchAsync(resourceVersion, cancellationToken))
                {
                    resourceVersion = e.ResourceVersion;
                    Apply(e);
                    failures = 0;
                }
            }
            catch (ResourceExpiredException e)
            {
                log.Information("Watch of {Resource} expired ({Reason}); listing again", name, e.Message);
                resourceVersion = null;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                var delay = _reconnect.Delay(failures++);
                log.Warning(e, "Watch of {Resource} failed; retrying in {Delay}", name, delay);
                try { await Task.Delay(delay, _time, cancellationToken); }
                catch (OperationCanceledException) { return; }
            }
            catch (OperationCanceledException) { return; }
        }
    }

    void Apply(WatchEvent<T> e)
    {
        switch (e.Type)
        {
            case WatchEventType.Added or WatchEventType.Modified:
                Notify(new ObjectChange<T>(Cache.Set(e.Object!), e.Object));
                break;
            case WatchEventType.Deleted:
                Notify(new ObjectChange<T>(Cache.Remove(ObjectKey.Of(e.Object!)) ?? e.Object, null));
                break;
        }
    }

    // A fresh list replaces the cache; differences become changes (deletes for what disappeared meanwhile).
    void Replace(IReadOnlyList<T> items)
    {
        var seen = items.Select(ObjectKey.Of).ToHashSet();
        foreach (var key in Cache.Keys.Where(k => !seen.Contains(k)).ToList())
            if (Cache.Remove(key) is { } gone) Notify(new ObjectChange<T>(gone, null));
        foreach (var item in items)
        {
            var old = Cache.Set(item);
            if (old?.Metadata.ResourceVersion != item.Metadata.ResourceVersion) Notify(new ObjectChange<T>(old, item));
        }
    }

    void Notify(ObjectChange<T> change)
    {
        foreach (var subscriber in _subscribers) subscriber(change);
    }
}
