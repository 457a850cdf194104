using Apriel.Artifacts;

namespace Apriel.Trainer.Merging;

/// <summary>
/// Opens the stores that artifact URIs live in, each once: an input URI such as <c>s3://bucket/p/ns/x/run/model/</c> is the
/// directory <c>model/</c> of the store <c>s3://bucket/p/ns/x/run/</c> (the same for <c>file:///…</c>).
/// </summary>
public sealed class ArtifactLocation(Func<string, IArtifactStore> open) : IDisposable
{
    readonly Dictionary<string, IArtifactStore> stores = new(StringComparer.Ordinal);

    /// <summary>The store holding the artifact at <paramref name="uri"/>, and the artifact's directory in it.</summary>
    public (IArtifactStore Store, string Directory) Open(string uri)
    {
        var (root, directory) = Split(uri);
        if (!stores.TryGetValue(root, out var store)) stores[root] = store = open(root);
        return (store, directory);
    }

    /// <summary>(store root, directory): the URI's parent directory and its last segment, both ending with '/'.</summary>
    public static (string Root, string Directory) Split(string uri)
    {
        var directory = ArtifactKeys.AsDirectory(uri);
        var cut = directory.LastIndexOf('/', directory.Length - 2);
        var scheme = directory.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0 || cut < scheme + 3)
            throw new ArgumentException($"\"{uri}\" is not an artifact directory inside a store (s3://bucket/…/NAME/ or file:///…/NAME/)", nameof(uri));
        return (directory[..(cut + 1)], directory[(cut + 1)..]);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var store in stores.Values) store.Dispose();
    }
}
