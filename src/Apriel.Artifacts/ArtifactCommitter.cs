using System.Text.Json;
using Apriel.Api.Runs;
using Apriel.Artifacts.Streams;

namespace Apriel.Artifacts;

/// <summary>
/// Commits a local directory to a store (design.md, "Artifacts and their protocol"):
/// 1. delete the target's MANIFEST.json, so a directory being re-committed never looks committed meanwhile;
/// 2. upload every file, hashing it as it streams;
/// 3. delete objects under the target that the new file set does not have (a committed directory holds exactly its
///    manifest's files);
/// 4. write MANIFEST.json last. Its presence commits the directory; the sha256 of its bytes is the digest.
/// A failure at any step before 4 leaves the directory uncommitted, and readers ignore it.
/// </summary>
public sealed class ArtifactCommitter(IArtifactStore store, TimeProvider? time = null)
{
    const int BufferSize = 1 << 20;

    readonly TimeProvider clock = time ?? TimeProvider.System;

    /// <summary>Uploads <paramref name="localDirectory"/> to <paramref name="directory"/> and commits it.</summary>
    /// <param name="localDirectory">The files to commit; a MANIFEST.json at its top is not uploaded (a new one is written).</param>
    /// <param name="directory">Key of the target directory in the store, e.g. <c>ns/stage/run/checkpoints/step-0000100/</c>.</param>
    /// <param name="lineage">Where the content came from.</param>
    /// <param name="config">Free-form configuration to record, or null.</param>
    /// <param name="cancellationToken">Cancels the upload; the directory then stays uncommitted.</param>
    public async Task<CommittedArtifact> CommitAsync(string localDirectory, string directory, ArtifactLineage lineage,
        JsonElement? config = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lineage);
        ArtifactKeys.ValidateDirectory(directory);
        if (!Directory.Exists(localDirectory)) throw new DirectoryNotFoundException($"No directory \"{localDirectory}\" to commit.");
        var manifestKey = directory + ArtifactLayout.Manifest;

        await store.DeleteAsync(manifestKey, cancellationToken).ConfigureAwait(false);

        var files = new List<ArtifactFile>();
        foreach (var (relative, fullPath) in LocalFiles(localDirectory))
        {
            files.Add(await UploadAsync(fullPath, relative, ArtifactKeys.Join(directory, relative), cancellationToken).ConfigureAwait(false));
        }

        var keep = files.Select(f => directory + f.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in await store.ListAsync(directory, cancellationToken).ConfigureAwait(false))
        {
            if (!keep.Contains(stale.Key)) await store.DeleteAsync(stale.Key, cancellationToken).ConfigureAwait(false);
        }

        var manifest = new ArtifactManifest { Files = files, Lineage = lineage, Config = config, Created = clock.GetUtcNow() };
        var bytes = ManifestJson.Serialize(manifest);
        using (var content = new MemoryStream(bytes, writable: false))
        {
            await store.PutAsync(manifestKey, content, bytes.Length, cancellationToken).ConfigureAwait(false);
        }
        return new CommittedArtifact(directory, store.Root + directory, ArtifactDigest.Of(bytes), ManifestJson.Parse(bytes, manifestKey));
    }

    async Task<ArtifactFile> UploadAsync(string fullPath, string relative, string key, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
        var size = file.Length;
        using var hashing = new HashingReadStream(file);
        await store.PutAsync(key, hashing, size, cancellationToken).ConfigureAwait(false);
        if (hashing.BytesRead != size)
        {
            // A store read less or more than it stored; the hash would not describe the object.
            throw new InvalidOperationException($"Uploading \"{relative}\" read {hashing.BytesRead} bytes of {size}.");
        }
        return new ArtifactFile { Path = relative, Size = size, Sha256 = hashing.Sha256Hex() };
    }

    /// <summary>Files under <paramref name="root"/> as ('/'-separated relative path, full path), sorted by path.</summary>
    static IEnumerable<(string Relative, string FullPath)> LocalFiles(string root)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 };
        return Directory.EnumerateFiles(root, "*", options)
            .Select(f => (Relative: Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'), FullPath: f))
            .Where(f => f.Relative != ArtifactLayout.Manifest)
            .OrderBy(f => f.Relative, StringComparer.Ordinal)
            .ToList();
    }
}
