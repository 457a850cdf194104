using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;

namespace Apriel.Trainer.Data;

/// <summary>A file of an input: its location as the inputs name it (<see cref="InputLocations"/>) and its local path.</summary>
public sealed record InputFile(string Location, string Path);

/// <summary>
/// The trainer's inputs as local files. Local locations are read where they are. <c>s3://</c> objects are downloaded once,
/// on first use, into a mirror of their bucket under the process's scratch (<c>SCRATCH/inputs/s3/BUCKET/KEY</c>). A model input
/// is a committed directory pinned to a digest: it is always downloaded through <see cref="ArtifactReader"/> (from S3 or a
/// local store alike), which checks the digest and every file's sha256, so training starts from exactly what the task names.
/// </summary>
public sealed class InputFiles(string scratch, Func<string, IArtifactStore>? open = null) : IDisposable
{
    private readonly ArtifactStoreCache stores = new(open);
    private readonly HashSet<string> fetched = new(StringComparer.Ordinal);

    /// <summary>
    /// The file at <paramref name="location"/>, or every file under it when it is a directory for which
    /// <paramref name="include"/> holds (e.g. <c>*.jsonl</c>), fetched, sorted by location.
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing there.</exception>
    public IReadOnlyList<InputFile> Files(string location, Func<string, bool> include)
    {
        if (InputLocations.IsRemote(location)) return FetchRemote(location, include);
        var path = InputLocations.LocalPath(location);
        if (System.IO.File.Exists(path)) return [new InputFile(path, path)];
        if (!System.IO.Directory.Exists(path)) throw new FileNotFoundException($"input {location} not found", path);
        return System.IO.Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(include)
            .Order(StringComparer.Ordinal).Select(f => new InputFile(f, f)).ToList();
    }

    /// <summary>The local path of the single file at <paramref name="location"/>, fetched.</summary>
    public string LocalFile(string location) => Files(location, _ => false) is [var file]
        ? file.Path
        : throw new FileNotFoundException($"input {location} is a directory, not a file");

    /// <summary>The local directory of the directory at <paramref name="location"/>, with its files for which <paramref name="include"/> holds.</summary>
    public string LocalDirectory(string location, Func<string, bool> include)
    {
        if (!InputLocations.IsRemote(location)) return InputLocations.LocalPath(location);
        FetchRemote(location, include);
        return Mirror(location);
    }

    /// <summary>
    /// Downloads the committed model directory <paramref name="input"/> names into scratch, verifying its digest and each
    /// file; a missing, uncommitted or corrupt one is refused (<see cref="InvalidDataException"/> naming the URI and why).
    /// </summary>
    public string Model(ResolvedInput input)
    {
        var (root, key) = ArtifactStores.Locate(input.Uri);
        var local = Path.Combine(scratch, "inputs", "model");
        try
        {
            new ArtifactReader(stores.Store(root)).DownloadAsync(ArtifactKeys.AsDirectory(key), local, input.Digest).GetAwaiter().GetResult();
        }
        catch (ArtifactNotFoundException e)
        {
            throw new InvalidDataException($"model input {input.Uri} is missing or not committed (no {Apriel.Api.Runs.ArtifactLayout.Manifest}): {e.Message}", e);
        }
        catch (ArtifactIntegrityException e)
        {
            throw new InvalidDataException($"model input {input.Uri} is refused: {e.Message}", e);
        }
        return local;
    }

    /// <inheritdoc/>
    public void Dispose() => stores.Dispose();

    private IReadOnlyList<InputFile> FetchRemote(string location, Func<string, bool> include)
    {
        var (root, key) = ArtifactStores.Locate(location);
        var store = stores.Store(root);
        var name = key.TrimEnd('/');
        var objects = store.ListAsync(name).GetAwaiter().GetResult();
        // An object named exactly so is a file (unless the location says directory); else the objects under it.
        var selected = !key.EndsWith('/') && objects.Any(o => o.Key == name)
            ? objects.Where(o => o.Key == name).ToList()
            : objects.Where(o => o.Key.StartsWith(name + "/", StringComparison.Ordinal) && include(o.Key)).ToList();
        if (selected.Count == 0) throw new FileNotFoundException($"input {location} not found: no such object or directory in {root}");
        var reader = new ArtifactReader(store);
        return selected.Select(o =>
        {
            var uri = root + o.Key;
            var path = Mirror(uri);
            if (!fetched.Contains(uri))
            {
                reader.DownloadObjectAsync(o.Key, path).GetAwaiter().GetResult();
                fetched.Add(uri);
            }
            return new InputFile(uri, path);
        }).ToList();
    }

    /// <summary>Where an S3 location is mirrored: keys are validated (no "..", no empty segment), so this stays inside scratch.</summary>
    private string Mirror(string location)
    {
        var (root, key) = ArtifactStores.Locate(location);
        return Path.Combine(scratch, "inputs", "s3", root["s3://".Length..].TrimEnd('/'), key.Replace('/', Path.DirectorySeparatorChar));
    }
}
