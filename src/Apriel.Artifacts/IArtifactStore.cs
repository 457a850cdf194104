namespace Apriel.Artifacts;

/// <summary>
/// Object-level access to an artifact store: S3 (<see cref="S3.S3ArtifactStore"/>) or a local directory
/// (<see cref="LocalArtifactStore"/>), which behave identically. Keys are relative '/'-separated paths
/// (<see cref="ArtifactKeys"/>); keys that could escape the store are refused with an <see cref="ArgumentException"/>.
/// Content is streamed, never buffered whole. Puts are atomic per object: a failed put leaves nothing under its key
/// (and the previous object, if any, unchanged).
/// </summary>
public interface IArtifactStore : IDisposable
{
    /// <summary>Where the store is, for messages, e.g. <c>s3://bucket/prefix/</c> or <c>file:///data/</c>. Holds no secrets.</summary>
    string Root { get; }

    /// <summary>
    /// Stores exactly <paramref name="length"/> bytes read from <paramref name="content"/> under <paramref name="key"/>,
    /// replacing any object there. A source that ends early is refused (<see cref="InvalidDataException"/>); what the
    /// source throws comes out as thrown, never retried. The source is read once, front to back (rewinding is never
    /// needed): a store that retries transient failures (S3) resends bytes it holds.
    /// </summary>
    Task PutAsync(string key, Stream content, long length, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens an object for reading, whole or the byte range [<paramref name="offset"/>, offset + <paramref name="length"/>),
    /// which must lie within the object (else <see cref="ArgumentOutOfRangeException"/>). The stream's Length is the
    /// number of bytes it yields; dispose it promptly (it may hold a connection).
    /// </summary>
    /// <exception cref="ArtifactNotFoundException">No object under the key.</exception>
    Task<Stream> OpenReadAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default);

    /// <summary>The object's size, or null when there is no object under the key.</summary>
    Task<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every object whose key starts with <paramref name="prefix"/> (a string prefix, as in S3: "a/b" also matches
    /// "a/bc/x"), at any depth, sorted by key (ordinal).
    /// </summary>
    Task<IReadOnlyList<ArtifactObject>> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Deletes the object under the key; nothing happens when there is none.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Deletes every object under a directory (a prefix ending with '/', not the root); returns how many.</summary>
    Task<int> DeleteDirectoryAsync(string directory, CancellationToken cancellationToken = default);
}

/// <summary>An object of a store: its key (relative to the store's root) and size in bytes.</summary>
public sealed record ArtifactObject(string Key, long Size);
