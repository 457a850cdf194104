using Apriel.Api.Runs;
using Apriel.Artifacts.Streams;

namespace Apriel.Artifacts;

/// <summary>
/// Reads committed directories (design.md, "Artifacts and their protocol"): a directory without MANIFEST.json does not
/// exist for a reader; a manifest is checked against a pinned digest when one is given; every file read through here
/// is checked against the manifest's size and sha256, and a mismatch is an error naming the file, never accepted.
/// </summary>
public sealed class ArtifactReader(IArtifactStore store)
{
    const int BufferSize = 1 << 20;

    /// <summary>Whether <paramref name="directory"/> is committed (its MANIFEST.json exists).</summary>
    public async Task<bool> IsCommittedAsync(string directory, CancellationToken cancellationToken = default)
    {
        directory = ArtifactKeys.ValidateDirectory(ArtifactKeys.AsDirectory(directory));
        return await store.GetSizeAsync(directory + ArtifactLayout.Manifest, cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>Reads and checks the manifest of a committed directory.</summary>
    /// <param name="directory">Key of the directory.</param>
    /// <param name="expectedDigest">When given, the manifest's digest must equal it.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="ArtifactNotFoundException">The directory is not committed.</exception>
    /// <exception cref="ArtifactIntegrityException">The manifest is malformed or its digest is not the pinned one.</exception>
    public async Task<CommittedArtifact> ReadManifestAsync(string directory, string? expectedDigest = null, CancellationToken cancellationToken = default)
    {
        directory = ArtifactKeys.ValidateDirectory(ArtifactKeys.AsDirectory(directory));
        if (expectedDigest is not null && !ArtifactDigest.IsWellFormed(expectedDigest))
        {
            throw new ArgumentException($"\"{expectedDigest}\" is not a sha256:<64 hex> digest.", nameof(expectedDigest));
        }
        var key = directory + ArtifactLayout.Manifest;
        var bytes = await ReadSmallAsync(key, cancellationToken).ConfigureAwait(false);
        var digest = ArtifactDigest.Of(bytes);
        if (expectedDigest is not null && !ArtifactDigest.AreEqual(digest, expectedDigest))
        {
            throw new ArtifactIntegrityException(key,
                $"\"{store.Root}{directory}\" is not the pinned artifact: expected {expectedDigest.ToLowerInvariant()}, its manifest is {digest}.");
        }
        return new CommittedArtifact(directory, store.Root + directory, digest, ManifestJson.Parse(bytes, key));
    }

    /// <summary>
    /// Opens one file of a committed directory for reading whole; the stream throws
    /// <see cref="ArtifactIntegrityException"/> at its end if the content is not what the manifest records.
    /// </summary>
    public async Task<Stream> OpenFileAsync(CommittedArtifact artifact, string path, CancellationToken cancellationToken = default)
    {
        var entry = artifact.Manifest.Files.FirstOrDefault(f => f.Path == path)
            ?? throw new ArtifactNotFoundException(store.Root, artifact.Directory + path);
        var key = artifact.Directory + entry.Path;
        var stream = await store.OpenReadAsync(key, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new VerifyingReadStream(stream, key, entry.Size, entry.Sha256);
    }

    /// <summary>
    /// Downloads a committed directory's files into <paramref name="localDirectory"/>, verifying each. A file that
    /// fails its check is deleted locally and the download fails with the file's key and both digests.
    /// </summary>
    public async Task<CommittedArtifact> DownloadAsync(string directory, string localDirectory, string? expectedDigest = null,
        CancellationToken cancellationToken = default)
    {
        var artifact = await ReadManifestAsync(directory, expectedDigest, cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(localDirectory);
        foreach (var file in artifact.Manifest.Files)
        {
            // Paths were validated when the manifest was parsed: relative, no "..", so this stays inside.
            await SaveAsync(() => OpenFileAsync(artifact, file.Path, cancellationToken), Path.Combine(localDirectory, file.Path),
                cancellationToken).ConfigureAwait(false);
        }
        return artifact;
    }

    /// <summary>
    /// Downloads one object as it is, for inputs that no manifest describes (data files); like
    /// <see cref="DownloadAsync"/>, the local file appears only once it is whole.
    /// </summary>
    public Task DownloadObjectAsync(string key, string localPath, CancellationToken cancellationToken = default) =>
        SaveAsync(() => store.OpenReadAsync(ArtifactKeys.Validate(key), cancellationToken: cancellationToken), localPath, cancellationToken);

    /// <summary>Copies a stream into <paramref name="target"/> through a <c>.partial</c> file, renamed when complete.</summary>
    static async Task SaveAsync(Func<Task<Stream>> open, string target, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var partial = target + ".partial";
        try
        {
            await using (var source = await open().ConfigureAwait(false))
            await using (var sink = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            {
                await source.CopyToAsync(sink, BufferSize, cancellationToken).ConfigureAwait(false);
            }
            File.Move(partial, target, overwrite: true);
        }
        catch
        {
            // Never leave a file that failed its check where it could be mistaken for a good one.
            try
            {
                File.Delete(partial);
            }
            catch (IOException)
            {
                // The original error matters more.
            }
            throw;
        }
    }

    /// <summary>
    /// The committed directories under <paramref name="prefix"/> (e.g. <c>RUN/checkpoints/</c>), sorted by key;
    /// directories without MANIFEST.json (uploads in progress or abandoned) are not listed.
    /// </summary>
    public async Task<IReadOnlyList<string>> ListCommittedAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ArtifactKeys.ValidatePrefix(prefix);
        var suffix = "/" + ArtifactLayout.Manifest;
        return (await store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
            .Where(o => o.Key.EndsWith(suffix, StringComparison.Ordinal))
            .Select(o => o.Key[..^ArtifactLayout.Manifest.Length])
            .ToList();
    }

    async Task<byte[]> ReadSmallAsync(string key, CancellationToken cancellationToken)
    {
        await using var stream = await store.OpenReadAsync(key, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (stream.Length > ManifestJson.MaxBytes)
        {
            throw new ArtifactIntegrityException(key, $"Manifest \"{key}\" is malformed: {stream.Length} bytes is more than {ManifestJson.MaxBytes}.");
        }
        var bytes = new byte[stream.Length];
        await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        return bytes;
    }
}
