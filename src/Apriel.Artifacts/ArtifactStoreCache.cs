namespace Apriel.Artifacts;

/// <summary>
/// The stores that artifact URIs live in (<see cref="ArtifactStores.Locate"/>), each opened once and disposed together:
/// what a trainer or merge reading inputs from several places needs.
/// </summary>
public sealed class ArtifactStoreCache(Func<string, IArtifactStore>? open = null) : IDisposable
{
    readonly Func<string, IArtifactStore> _open = open ?? (root => ArtifactStores.Open(root));
    readonly Dictionary<string, IArtifactStore> _stores = new(StringComparer.Ordinal);

    /// <summary>The store holding the artifact at <paramref name="uri"/>, and the artifact's key in it.</summary>
    public (IArtifactStore Store, string Key) Locate(string uri)
    {
        var (root, key) = ArtifactStores.Locate(uri);
        return (Store(root), key);
    }

    /// <summary>The store rooted at <paramref name="root"/>.</summary>
    public IArtifactStore Store(string root)
    {
        if (!_stores.TryGetValue(root, out var store)) _stores[root] = store = _open(root);
        return store;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var store in _stores.Values) store.Dispose();
        _stores.Clear();
    }
}
