namespace Apriel.Trainer.Training;

/// <summary>
/// A private local directory for staging files before they are uploaded, under <c>$APRIEL_SCRATCH</c> (the pod's
/// scratch volume) or the temp directory, removed when disposed. Unique per process so two trainers never share one.
/// </summary>
public sealed class Scratch : IDisposable
{
    Scratch(string path) => Path = path;

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>Creates a fresh directory named after the run.</summary>
    public static Scratch Create(string runId)
    {
        var root = Environment.GetEnvironmentVariable("APRIEL_SCRATCH") is { Length: > 0 } configured ? configured : System.IO.Path.GetTempPath();
        var path = System.IO.Path.Combine(root, $"apriel-{runId}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return new Scratch(path);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { } // best effort: a leftover scratch directory costs disk, not correctness
        catch (UnauthorizedAccessException) { }
    }
}
