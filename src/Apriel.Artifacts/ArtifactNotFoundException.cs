namespace Apriel.Artifacts;

/// <summary>No object under a key. Permanent: never retried.</summary>
public sealed class ArtifactNotFoundException(string root, string key)
    : Exception($"No artifact object \"{key}\" in {root}.")
{
    public string Key { get; } = key;
}
