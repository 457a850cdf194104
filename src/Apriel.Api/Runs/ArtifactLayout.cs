namespace Apriel.Api.Runs;

/// <summary>
/// Where a run's artifacts live, relative to the artifact store's root (<c>s3://bucket/prefix/</c> or a local
/// directory): <c>NAMESPACE/NAME/RUNID/</c> holding <c>checkpoints/step-NNNNNNN/</c>, <c>model/</c> and
/// <c>progress.json</c>. A checkpoint or model directory is committed once its <c>MANIFEST.json</c> exists.
/// </summary>
public static class ArtifactLayout
{
    /// <summary>Written last; its presence commits a directory, its sha256 is the directory's digest.</summary>
    public const string Manifest = "MANIFEST.json";

    /// <summary>The trainer's latest progress report in a run directory.</summary>
    public const string Progress = "progress.json";

    /// <summary>The final model of a run.</summary>
    public const string Model = "model/";

    /// <summary>The directory holding every run of a resource, relative to the store root.</summary>
    public static string Runs(string @namespace, string name) => $"{@namespace}/{name}/";

    /// <summary>A run's directory, relative to the store root.</summary>
    public static string Run(string @namespace, string name, string runId) => Runs(@namespace, name) + runId + "/";

    /// <summary>A checkpoint directory, relative to its run directory; zero-padded so names sort by step.</summary>
    public static string Checkpoint(long step) => $"checkpoints/step-{step:D7}/";

    /// <summary>
    /// An absolute artifact URI: <paramref name="uri"/> as is when it has a scheme (<c>s3://</c>, <c>file://</c>),
    /// else joined to <paramref name="storeRoot"/> (which ends with '/').
    /// </summary>
    public static string Resolve(string storeRoot, string uri)
    {
        if (!storeRoot.EndsWith('/')) throw new ArgumentException($"store root \"{storeRoot}\" must end with '/'", nameof(storeRoot));
        if (uri.Contains("://", StringComparison.Ordinal)) return uri;
        if (uri.Split('/').Contains("..")) throw new ArgumentException($"\"{uri}\" climbs out of the artifact store", nameof(uri));
        return storeRoot + uri.TrimStart('/');
    }
}
