namespace Apriel.Trainer.Data;

/// <summary>
/// Where the trainer's inputs are, as tasks and data files name them: an <c>s3://bucket/key</c> URI (read through the
/// artifact store), a <c>file:///…</c> URI or a plain path (both local). Pure string rules; <see cref="InputFiles"/> does the I/O.
/// </summary>
public static class InputLocations
{
    /// <summary>Whether the location is in S3 (anything else is a local file).</summary>
    public static bool IsRemote(string location) => location.StartsWith("s3://", StringComparison.Ordinal);

    /// <summary>The local path of a local location: a <c>file:///</c> URI's path, a plain path made absolute.</summary>
    public static string LocalPath(string location)
    {
        if (location.StartsWith("file://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(location, UriKind.Absolute, out var parsed) || !parsed.IsFile || !string.IsNullOrEmpty(parsed.Host))
                throw new ArgumentException($"\"{location}\" is not a file:///absolute/path URI");
            return parsed.LocalPath;
        }
        if (location.Contains("://", StringComparison.Ordinal))
            throw new NotSupportedException($"\"{location}\": inputs are s3:// or file:/// URIs or local paths");
        return Path.GetFullPath(location);
    }

    /// <summary>
    /// A reference found in an input (an image of a JSONL record) as a location: one with a scheme or an absolute path as
    /// it is, a relative one against the directory of <paramref name="from"/> (the JSONL's own location), in S3 as locally.
    /// </summary>
    public static string Resolve(string reference, string from)
    {
        if (reference.Contains("://", StringComparison.Ordinal) || Path.IsPathRooted(reference)) return reference;
        if (!IsRemote(from)) return Path.GetFullPath(Path.Combine(Path.GetDirectoryName(LocalPath(from))!, reference));
        var bucketEnd = from.IndexOf('/', "s3://".Length);
        var lastSlash = from.LastIndexOf('/');
        var directory = lastSlash > bucketEnd ? from[(bucketEnd + 1)..lastSlash] : "";
        var segments = new List<string>();
        foreach (var segment in (directory + "/" + reference).Split('/'))
        {
            if (segment is "" or ".") continue;
            if (segment != "..") segments.Add(segment);
            else if (segments.Count > 0) segments.RemoveAt(segments.Count - 1);
            else throw new ArgumentException($"\"{reference}\" climbs out of the bucket of {from}");
        }
        return from[..(bucketEnd + 1)] + string.Join('/', segments);
    }
}
