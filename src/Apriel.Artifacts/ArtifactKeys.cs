namespace Apriel.Artifacts;

/// <summary>
/// Keys are '/'-separated paths relative to a store's root. Anything that could resolve outside the root or mean
/// different things to S3 and to a file system is refused up front, so both stores see the same set of keys.
/// </summary>
public static class ArtifactKeys
{
    /// <summary>
    /// A reserved top-level directory: <see cref="LocalArtifactStore"/> stages puts there. Refused as a key in every
    /// store so that all stores accept the same keys.
    /// </summary>
    public const string Staging = ".apriel-staging";

    /// <summary>Whether a key lies in the reserved staging directory.</summary>
    public static bool IsStaging(string key) => key.StartsWith(Staging + "/", StringComparison.Ordinal);

    /// <summary>Refuses a key that is empty, absolute, has a backslash, a control character, or an empty, "." or ".." segment.</summary>
    public static string Validate(string key, string paramName = "key")
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        if (Problem(key, allowTrailingSlash: false) is { } problem)
        {
            throw new ArgumentException($"Artifact key \"{Printable(key)}\" is refused: {problem}.", paramName);
        }
        return key;
    }

    /// <summary>
    /// Refuses a listing prefix that could escape the root. "" (the whole store), a directory ("a/b/") and a partial
    /// name ("checkpoints/step-") are fine.
    /// </summary>
    public static string ValidatePrefix(string prefix, string paramName = "prefix")
    {
        ArgumentNullException.ThrowIfNull(prefix, paramName);
        if (prefix.Length > 0 && Problem(prefix, allowTrailingSlash: true) is { } problem)
        {
            throw new ArgumentException($"Artifact prefix \"{Printable(prefix)}\" is refused: {problem}.", paramName);
        }
        return prefix;
    }

    /// <summary>
    /// Refuses a prefix that is not a whole directory ("a/b/"): deleting "a/b" would also delete "a/bc/…", and
    /// deleting "" the whole store.
    /// </summary>
    public static string ValidateDirectory(string directory, string paramName = "directory")
    {
        ValidatePrefix(directory, paramName);
        if (directory.Length == 0 || !directory.EndsWith('/'))
        {
            throw new ArgumentException($"Artifact directory \"{Printable(directory)}\" is refused: it must be non-empty and end with '/'.", paramName);
        }
        return directory;
    }

    /// <summary>Whether <see cref="Validate"/> would accept the key.</summary>
    public static bool IsValid(string key) => Problem(key, allowTrailingSlash: false) is null;

    /// <summary>Joins a directory ("a/b/" or "a/b" or "") and a relative path, validating the result.</summary>
    public static string Join(string directory, string relative)
    {
        var joined = directory.Length == 0 || directory.EndsWith('/') ? directory + relative : directory + "/" + relative;
        return Validate(joined, nameof(relative));
    }

    /// <summary>"a/b" or "a/b/" → "a/b/"; "" stays "" (the root).</summary>
    public static string AsDirectory(string directory) =>
        directory.Length == 0 || directory.EndsWith('/') ? directory : directory + "/";

    static string? Problem(string path, bool allowTrailingSlash)
    {
        if (path.Length == 0) return "it is empty";
        if (path.StartsWith('/')) return "it is absolute (starts with '/')";
        if (path.Contains('\\')) return "it contains a backslash";
        if (path.Any(char.IsControl)) return "it contains a control character";
        var segments = path.Split('/');
        if (segments[0] == Staging) return $"\"{Staging}\" is reserved for puts in progress";
        var last = allowTrailingSlash && path.EndsWith('/') ? segments.Length - 1 : segments.Length;
        for (var i = 0; i < last; i++)
        {
            switch (segments[i])
            {
                case "": return "it has an empty segment (\"//\" or a trailing '/')";
                case ".": return "it has a \".\" segment";
                case "..": return "it has a \"..\" segment (it would climb out of its directory)";
            }
        }
        return null;
    }

    // Control characters would garble the message; the key is otherwise shown as given.
    static string Printable(string key) => new(key.Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
