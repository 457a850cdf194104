using k8s;
using k8s.Models;

namespace Apriel.Operator.Runtime;

/// <summary>
/// The informer's view of one resource type: reconcilers read from it instead of the API server. It may lag
/// the server briefly; writes always go to the server. Lookups other than by key go through indexes (as client-go's
/// Indexer and controller-runtime's field indexes do), so they cost what they return, not the size of the cache:
/// by namespace and by owner built in, others added by whoever looks objects up by them.
/// </summary>
public sealed class ObjectCache<T> where T : IKubernetesObject<V1ObjectMeta>
{
    const string NamespaceIndex = "namespace";
    const string OwnerIndex = "owner";

    readonly Lock _gate = new();
    readonly Dictionary<ObjectKey, T> _objects = [];
    readonly Dictionary<string, Index> _indexes = [];

    // The values an object was indexed under are kept, so that removing it does not depend on the object being unchanged.
    sealed record Index(Func<T, IEnumerable<string>> ValuesOf, Dictionary<string, HashSet<ObjectKey>> Keys, Dictionary<ObjectKey, string[]> Values);

    public ObjectCache()
    {
        EnsureIndex(NamespaceIndex, o => [o.Metadata.NamespaceProperty ?? ""]);
        EnsureIndex(OwnerIndex, o => o.Metadata.OwnerReferences?.Select(r => r.Uid) ?? []);
    }

    /// <summary>The cached object, or default when it does not exist (or is not yet seen).</summary>
    public T? Get(ObjectKey key)
    {
        lock (_gate) return _objects.GetValueOrDefault(key);
    }

    /// <summary>All cached objects, in one namespace or all.</summary>
    public IReadOnlyList<T> List(string? @namespace = null)
    {
        if (@namespace != null) return ByIndex(NamespaceIndex, @namespace);
        lock (_gate) return [.. _objects.Values];
    }

    /// <summary>Objects that name <paramref name="ownerUid"/> among their owner references.</summary>
    public IReadOnlyList<T> OwnedBy(string ownerUid) => ByIndex(OwnerIndex, ownerUid);

    /// <summary>
    /// Adds an index <paramref name="name"/>: each object is found under every value <paramref name="valuesOf"/> gives
    /// for it. Objects already cached are indexed now. An index by that name already there is kept.
    /// </summary>
    public void EnsureIndex(string name, Func<T, IEnumerable<string>> valuesOf)
    {
        lock (_gate)
        {
            if (_indexes.ContainsKey(name)) return;
            var index = new Index(valuesOf, [], []);
            var values = _objects.Select(o => (o.Key, ValuesFor(index, o.Value))).ToList(); // all or nothing, as in Set
            foreach (var (key, indexed) in values) Add(index, key, indexed);
            _indexes[name] = index;
        }
    }

    /// <summary>The objects index <paramref name="name"/> finds under <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentException">No index by that name.</exception>
    public IReadOnlyList<T> ByIndex(string name, string value)
    {
        lock (_gate)
        {
            if (!_indexes.TryGetValue(name, out var index)) throw new ArgumentException($"no index {name}", nameof(name));
            return index.Keys.TryGetValue(value, out var keys) ? [.. keys.Select(k => _objects[k])] : [];
        }
    }

    /// <summary>Number of cached objects.</summary>
    public int Count
    {
        get { lock (_gate) return _objects.Count; }
    }

    internal T? Set(T obj)
    {
        var key = ObjectKey.Of(obj);
        lock (_gate)
        {
            // Every index's values first: should one throw, the cache is left as it was.
            var values = _indexes.Values.Select(index => (index, ValuesFor(index, obj))).ToList();
            var old = Remove(key);
            _objects[key] = obj;
            foreach (var (index, indexed) in values) Add(index, key, indexed);
            return old;
        }
    }

    internal T? Remove(ObjectKey key)
    {
        lock (_gate)
        {
            if (!_objects.Remove(key, out var old)) return default;
            foreach (var index in _indexes.Values)
            {
                if (!index.Values.Remove(key, out var values)) continue;
                foreach (var value in values)
                {
                    if (index.Keys.TryGetValue(value, out var keys) && keys.Remove(key) && keys.Count == 0) index.Keys.Remove(value);
                }
            }
            return old;
        }
    }

    internal IReadOnlyCollection<ObjectKey> Keys
    {
        get { lock (_gate) return [.. _objects.Keys]; }
    }

    static string[] ValuesFor(Index index, T obj) => index.ValuesOf(obj).Distinct().ToArray();

    static void Add(Index index, ObjectKey key, string[] values)
    {
        index.Values[key] = values;
        foreach (var value in values)
        {
            if (!index.Keys.TryGetValue(value, out var keys)) index.Keys[value] = keys = [];
            keys.Add(key);
        }
    }
}
