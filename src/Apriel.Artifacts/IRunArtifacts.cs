using Apriel.Api.V1Alpha1;

namespace Apriel.Artifacts;

/// <summary>
/// What the operator and the local runner read from the artifact store about runs, so their decisions stay pure
/// and the store (S3 or local) stays behind one small interface.
/// </summary>
public interface IRunArtifacts
{
    /// <summary>The committed final model (<c>model/MANIFEST.json</c>) of a run directory, or null.</summary>
    Task<ArtifactRef?> CommittedModelAsync(string runUri, CancellationToken cancellationToken);

    /// <summary>The run's latest <c>progress.json</c>, or null before the first report.</summary>
    Task<Progress?> ProgressAsync(string runUri, CancellationToken cancellationToken);

    /// <summary>The run's committed checkpoints, oldest first.</summary>
    Task<IReadOnlyList<CheckpointRef>> CheckpointsAsync(string runUri, CancellationToken cancellationToken);

    /// <summary>
    /// The digest of a committed model at <paramref name="uri"/>, checked against <paramref name="pinned"/> when
    /// given; an error message (not an exception) when it is not committed or does not match.
    /// </summary>
    Task<(ArtifactRef? Artifact, string? Error)> ResolveAsync(string uri, string? pinned, CancellationToken cancellationToken);

    /// <summary>Deletes every object under a directory URI of the store (a resource's runs); returns how many.</summary>
    Task<int> DeleteDirectoryAsync(string directoryUri, CancellationToken cancellationToken);
}
