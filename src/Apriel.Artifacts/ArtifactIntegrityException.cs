namespace Apriel.Artifacts;

/// <summary>
/// Stored content is not what its manifest (or a pinned digest) says: a corrupt or truncated file, a malformed
/// manifest, a digest mismatch. Permanent: never retried, never accepted silently.
/// </summary>
public sealed class ArtifactIntegrityException(string key, string message) : Exception(message)
{
    /// <summary>The key (relative to the store's root) of the object that failed the check.</summary>
    public string Key { get; } = key;
}
