using System.Collections.Concurrent;

namespace Apriel.Testing;

/// <summary>
/// A temp directory for one fixture, named after the owning process so that a later run can
/// clean up after a run that crashed (see <see cref="ReapStale"/>). Set APRIEL_KEEP_TEST_DIRS=1
/// to keep directories (logs, certificates) after a run for debugging; the next run deletes them.
/// </summary>
public sealed class TestDirectory : IDisposable
{
    private static readonly ConcurrentDictionary<string, TestDirectory> Live = new();
    private static int reaped;

    private TestDirectory(string path) => FullPath = path;

    /// <summary>/tmp/apriel-tests: one subdirectory per fixture.</summary>
    public static string Root => Path.Combine(Path.GetTempPath(), "apriel-tests");

    public string FullPath { get; }

    public static TestDirectory Create(string purpose)
    {
        ExitCleanup.EnsureHooked();
        if (Interlocked.Exchange(ref reaped, 1) == 0)
        {
            ReapStale();
        }
        var path = Path.Combine(Root, $"{Environment.ProcessId}-{purpose}-{Guid.NewGuid().ToString("N")[..12]}");
        Directory.CreateDirectory(path);
        var dir = new TestDirectory(path);
        Live[path] = dir;
        return dir;
    }

    /// <summary>A path inside the directory; creates the parent directories.</summary>
    public string Combine(params string[] parts)
    {
        var path = Path.Combine([FullPath, .. parts]);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    /// <summary>A subdirectory, created.</summary>
    public string Subdirectory(string name) => Directory.CreateDirectory(Path.Combine(FullPath, name)).FullName;

    public void Dispose()
    {
        Live.TryRemove(FullPath, out _);
        if (Environment.GetEnvironmentVariable("APRIEL_KEEP_TEST_DIRS") == "1")
        {
            return;
        }
        try
        {
            Directory.Delete(FullPath, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temp dir must not fail a test.
        }
    }

    /// <summary>Deletes every live directory (test-host exit).</summary>
    public static void DeleteAll()
    {
        foreach (var dir in Live.Values)
        {
            dir.Dispose();
        }
    }

    /// <summary>
    /// Kills processes left behind by test runs whose owner process is gone (a crashed or
    /// killed test host cannot run its exit hooks) and deletes their directories. Such a
    /// process is recognised by its command line, which names a path inside the directory.
    /// </summary>
    public static void ReapStale()
    {
        if (!Directory.Exists(Root) || !Directory.Exists("/proc"))
        {
            return;
        }
        foreach (var dir in Directory.GetDirectories(Root))
        {
            var name = Path.GetFileName(dir);
            if (!int.TryParse(name.Split('-')[0], out var owner) || owner == Environment.ProcessId
                || Directory.Exists($"/proc/{owner}"))
            {
                continue;
            }
            foreach (var pid in ProcessesMentioning(dir))
            {
                ChildProcess.TryKill(pid);
            }
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort, as in Dispose.
            }
        }
    }

    private static IEnumerable<int> ProcessesMentioning(string path)
    {
        foreach (var proc in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out var pid))
            {
                continue;
            }
            string cmdline;
            try
            {
                cmdline = File.ReadAllText(Path.Combine(proc, "cmdline"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // exited meanwhile
            }
            if (cmdline.Contains(path, StringComparison.Ordinal))
            {
                yield return pid;
            }
        }
    }
}
