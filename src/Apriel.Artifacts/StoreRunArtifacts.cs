using System.Globalization;
using System.Text.Json;
using Apriel.Api.Manifests;
using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;

namespace Apriel.Artifacts;

/// <summary>
/// <see cref="IRunArtifacts"/> over an artifact store (the operator's, or the local runner's): committed models and checkpoints by their
/// MANIFEST.json, progress from progress.json. Only small files are read; weights never pass through here.
/// </summary>
public sealed class StoreRunArtifacts(IArtifactStore store) : IRunArtifacts
{
    readonly ArtifactReader _reader = new(store);

    /// <inheritdoc/>
    public async Task<ArtifactRef?> CommittedModelAsync(string runUri, CancellationToken cancellationToken)
    {
        var model = ArtifactStores.KeyIn(store, runUri) + ArtifactLayout.Model;
        if (!await _reader.IsCommittedAsync(model, cancellationToken)) return null;
        return (await _reader.ReadManifestAsync(model, cancellationToken: cancellationToken)).ToRef();
    }

    /// <inheritdoc/>
    public Task<Progress?> ProgressAsync(string runUri, CancellationToken cancellationToken) =>
        ProgressFile.ReadAsync(store, ArtifactStores.KeyIn(store, runUri), cancellationToken);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<CheckpointRef>> CheckpointsAsync(string runUri, CancellationToken cancellationToken)
    {
        var run = ArtifactStores.KeyIn(store, runUri);
        var checkpoints = new List<CheckpointRef>();
        foreach (var directory in await _reader.ListCommittedAsync(run + "checkpoints/", cancellationToken))
        {
            var name = directory.TrimEnd('/').Split('/')[^1];
            if (!name.StartsWith("step-", StringComparison.Ordinal) || !long.TryParse(name[5..], NumberStyles.None, CultureInfo.InvariantCulture, out var step)) continue;
            var manifest = await _reader.ReadManifestAsync(directory, cancellationToken: cancellationToken);
            checkpoints.Add(new CheckpointRef { Step = step, Uri = manifest.Uri, Digest = manifest.Digest });
        }
        return [.. checkpoints.OrderBy(c => c.Step)];
    }

    /// <inheritdoc/>
    public async Task<(ArtifactRef? Artifact, string? Error)> ResolveAsync(string uri, string? pinned, CancellationToken cancellationToken)
    {
        string key;
        try { key = ArtifactStores.KeyIn(store, uri.EndsWith('/') ? uri : uri + "/"); }
        catch (ArgumentException) { return (null, $"{uri} is outside the operator's artifact store {store.Root}; copy it there or reference it relative to the store"); }
        if (!await _reader.IsCommittedAsync(key, cancellationToken))
            return (null, $"{uri} has no {ArtifactLayout.Manifest}: it is not a committed model (commit one with the trainer's import, or wait for its upload to finish)");
        try { return ((await _reader.ReadManifestAsync(key, pinned, cancellationToken)).ToRef(), null); }
        catch (ArtifactIntegrityException e) { return (null, e.Message); }
    }

    /// <inheritdoc/>
    public Task<int> DeleteDirectoryAsync(string directoryUri, CancellationToken cancellationToken) =>
        store.DeleteDirectoryAsync(ArtifactStores.KeyIn(store, directoryUri), cancellationToken);
}
