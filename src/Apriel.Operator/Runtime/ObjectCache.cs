using System.Collections.Concurrent;
using k8s;
using k8s.Models;

namespace Apriel.Operator.Runtime;

/// <summary>
/// The informer's view of one resource type: reconcilers read from it instead of the API server. It may lag
/// the server briefly; writes always go to the server.
/// </summary>
public sealed class ObjectCache<T> where T : IKubernetesObject<V1ObjectMeta>
{
    readonly ConcurrentDictionary<ObjectKey, T> _objects = new();

    /// <summary>The cached object, or default when it does not exist (or is not yet seen).</summary>
    public T? Get(ObjectKey key) => _objects.GetValueOrDefault(key);

    /// <summary>All cached objects, in one namespace or all.</summary>
    public IReadOnlyList<T> List(string? @namespace = null) =>
        _objects.Values.Where(o => @namespace == null || o.Metadata.NamespaceProperty == @namespace).ToList();

    /// <summary>Objects that name <paramref name="ownerUid"/> among their owner references.</summary>
    public IReadOnlyList<T> OwnedBy(string ownerUid) =>
        _objects.Values.Where(o => o.Metadata.OwnerReferences?.Any(r => r.Uid == ownerUid) == true).ToList();

    /// <summary>Number of cached objects.</summary>
    public int Count => _objects.Count;

    internal T? Set(T obj)
    {
        T? old = default;
        _objects.AddOrUpdate(ObjectKey.Of(obj), obj, (_, previous) => { old = previous; return obj; });
        return old;
    }

    internal T? Remove(ObjectKey key) => _objects.TryRemove(key, out var old) ? old : default;

    internal IReadOnlyCollection<ObjectKey> Keys => (IReadOnlyCollection<ObjectKey>)_objects.Keys;
}
