namespace Apriel.Trainer.Data;

/// <summary>
/// Local paths for URIs. The trainer reads local files for now: <c>file:///…</c> URIs and plain paths. An <c>s3://</c> URI
/// needs the artifact store (<c>Apriel.Artifacts</c>), which is where such inputs are to be fetched to a local directory.
/// </summary>
public static class LocalPaths
{
    /// <summary>The local path of <paramref name="uri"/>; a relative one is taken relative to <paramref name="baseDirectory"/>.</summary>
    public static string Resolve(string uri, string? baseDirectory = null)
    {
        if (uri.StartsWith("file://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || !parsed.IsFile || !string.IsNullOrEmpty(parsed.Host))
                throw new ArgumentException($"\"{uri}\" is not a file:///absolute/path URI");
            return parsed.LocalPath;
        }
        if (uri.Contains("://", StringComparison.Ordinal))
            throw new NotSupportedException($"\"{uri}\": only local files (file:/// or paths) are read here; remote artifacts go through the artifact store");
        return Path.IsPathRooted(uri) || baseDirectory is null ? uri : Path.GetFullPath(Path.Combine(baseDirectory, uri));
    }
}
