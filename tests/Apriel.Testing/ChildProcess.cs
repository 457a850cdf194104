using System.Collections.Concurrent;
using System.Diagnostics;

namespace Apriel.Testing;

/// <summary>
/// A long-running child process (etcd, kube-*, s3rver) whose stdout and stderr go to a log
/// file. Every live instance is killed when the test host exits (<see cref="ExitCleanup"/>).
/// Output is piped through this process rather than redirected to the file directly so that,
/// if the test host is killed outright, the Go programs die of SIGPIPE on their next log write.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private static readonly ConcurrentDictionary<int, ChildProcess> Live = new();

    private readonly Process process;
    private readonly StreamWriter log;
    private readonly Lock logLock = new();
    private bool logClosed;

    private ChildProcess(string name, Process process, StreamWriter log, string logPath)
    {
        Name = name;
        this.process = process;
        this.log = log;
        LogPath = logPath;
    }

    public string Name { get; }

    public string LogPath { get; }

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    public static ChildProcess Start(string name, string fileName, IEnumerable<string> arguments, string logPath,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        ExitCleanup.EnsureHooked();
        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        log.WriteLine($"$ {fileName} {string.Join(' ', startInfo.ArgumentList)}");
        var process = new Process { StartInfo = startInfo };
        var child = new ChildProcess(name, process, log, logPath);
        process.OutputDataReceived += (_, e) => child.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        process.Start();
        Live[process.Id] = child;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>The last lines of the log, for error messages.</summary>
    public string LogTail(int lines = 30)
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException e)
        {
            return $"(cannot read {LogPath}: {e.Message})";
        }
    }

    /// <summary>Throws with the log tail if the process has exited.</summary>
    public void EnsureRunning(string activity)
    {
        if (process.HasExited)
        {
            throw new InvalidOperationException(
                $"{Name} exited with code {process.ExitCode} while {activity}. Last lines of {LogPath}:\n{LogTail()}");
        }
    }

    /// <summary>Sends SIGTERM (a graceful stop, as the kubelet asks) and waits for the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (!process.HasExited && SendSignal(process.Id, 15) != 0)
        {
            throw new InvalidOperationException($"could not signal {Name} ({process.Id})");
        }
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return process.ExitCode;
    }

    /// <summary>Kills the process and its descendants (SIGKILL: a crash, a lost node) without waiting.</summary>
    public void Kill() => process.Kill(entireProcessTree: true);

    /// <summary>Sends SIGTERM without waiting; false when the process has already gone.</summary>
    public bool RequestStop() => !process.HasExited && SendSignal(process.Id, 15) == 0;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>Kills the process and its descendants and waits for them to go.</summary>
    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            process.WaitForExit(10_000);
        }
        catch (Exception e) when (e is InvalidOperationException or AggregateException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
        Live.TryRemove(process.Id, out _);
        lock (logLock)
        {
            logClosed = true;
            log.Dispose();
        }
        process.Dispose();
    }

    /// <summary>Kills every live child (test-host exit).</summary>
    public static void KillAll()
    {
        foreach (var child in Live.Values)
        {
            child.Dispose();
        }
    }

    /// <summary>Kills a process by id if it still exists (used for leftovers of crashed runs).</summary>
    public static void TryKill(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5_000);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or AggregateException
                                       or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (logLock)
        {
            if (!logClosed)
            {
                log.WriteLine(line);
            }
        }
    }
}
