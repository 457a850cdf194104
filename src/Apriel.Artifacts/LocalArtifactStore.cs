using Apriel.Artifacts.Streams;

namespace Apriel.Artifacts;

/// <summary>
/// An artifact store in a local directory (the local runner's default, and tests): key "a/b" is the file ROOT/a/b.
/// A put writes to a staging file under ROOT/.apriel-staging/ (same file system), flushes it to
/// disk and renames it over the key, so a crashed put leaves nothing under its key. One deviation from S3 that the
/// layout never meets: "a" and "a/b" cannot both be objects (a file and a directory cannot share a name).
/// </summary>
public sealed class LocalArtifactStore : IArtifactStore
{
    const int BufferSize = 1 << 20;

    // A staging file this old belongs to a put that crashed; removed when a store is opened.
    static readonly TimeSpan StaleStaging = TimeSpan.FromDays(1);

    readonly string rootPath;
    readonly string stagingPath;

    public LocalArtifactStore(string directory)
    {
        rootPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        stagingPath = Path.Combine(rootPath, ArtifactKeys.Staging);
        Directory.CreateDirectory(rootPath);
        Root = new Uri(rootPath + "/").AbsoluteUri;
        RemoveStaleStaging();
    }

    public string Root { get; }

    /// <summary>The store's directory.</summary>
    public string RootPath => rootPath;

    public async Task PutAsync(string key, Stream content, long length, CancellationToken cancellationToken = default)
    {
        ArtifactKeys.Validate(key);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var target = PathOf(key);
        Directory.CreateDirectory(stagingPath);
        var staging = Path.Combine(stagingPath, $"{Guid.NewGuid():N}.partial");
        try
        {
            await using (var file = new FileStream(staging, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            {
                await new ExactLengthStream(content, length).CopyToAsync(file, BufferSize, cancellationToken).ConfigureAwait(false);
                // Durable before visible: a committed MANIFEST.json must never point at files a power cut could empty.
                file.Flush(flushToDisk: true);
            }
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(staging, target, overwrite: true);
        }
        catch
        {
            TryDelete(staging);
            throw;
        }
    }

    public Task<Stream> OpenReadAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        ArtifactKeys.Validate(key);
        ByteRanges.Check(offset, length);
        FileStream file;
        try
        {
            file = new FileStream(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferSize, useAsync: true);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException || (e is UnauthorizedAccessException && Directory.Exists(PathOf(key))))
        {
            throw new ArtifactNotFoundException(Root, key);
        }
        try
        {
            var size = file.Length;
            ByteRanges.CheckWithin(Root, key, offset, length, size);
            file.Position = offset;
            return Task.FromResult<Stream>(new WindowStream(file, length ?? size - offset));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public Task<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default)
    {
        ArtifactKeys.Validate(key);
        var info = new FileInfo(PathOf(key));
        return Task.FromResult(info.Exists ? info.Length : (long?)null);
    }

    public Task<IReadOnlyList<ArtifactObject>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ArtifactKeys.ValidatePrefix(prefix);
        // Walk only the directory the prefix is certainly inside; the rest of the prefix filters names, as in S3.
        var slash = prefix.LastIndexOf('/');
        var start = slash < 0 ? rootPath : Path.Combine(rootPath, prefix[..slash]);
        var result = new List<ArtifactObject>();
        if (Directory.Exists(start))
        {
            var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
            foreach (var file in new DirectoryInfo(start).EnumerateFiles("*", options))
            {
                var key = Path.GetRelativePath(rootPath, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
                if (key.StartsWith(prefix, StringComparison.Ordinal) && !ArtifactKeys.IsStaging(key))
                {
                    result.Add(new ArtifactObject(key, file.Length));
                }
            }
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return Task.FromResult<IReadOnlyList<ArtifactObject>>(result);
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ArtifactKeys.Validate(key);
        try
        {
            File.Delete(PathOf(key));
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing there: deleting is idempotent, as in S3.
        }
        return Task.CompletedTask;
    }

    public async Task<int> DeleteDirectoryAsync(string directory, CancellationToken cancellationToken = default)
    {
        ArtifactKeys.ValidateDirectory(directory);
        var objects = await ListAsync(directory, cancellationToken).ConfigureAwait(false);
        var path = Path.Combine(rootPath, directory.TrimEnd('/'));
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
        return objects.Count;
    }

    public void Dispose() { }

    // Keys are validated first: relative, no "..", no backslash, so the path stays under the root.
    string PathOf(string key) => Path.Combine(rootPath, key);

    void RemoveStaleStaging()
    {
        if (!Directory.Exists(stagingPath)) return;
        foreach (var file in new DirectoryInfo(stagingPath).EnumerateFiles())
        {
            if (DateTime.UtcNow - file.LastWriteTimeUtc > StaleStaging) TryDelete(file.FullName);
        }
    }

    static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover staging file is invisible to readers and removed later.
        }
    }
}
