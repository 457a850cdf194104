using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Apriel.Cli.Run;

/// <summary>
/// Runs <c>apriel-trainer</c> (installed next to <c>apriel</c>) for one task as a child process, as the operator's
/// Job would: its output goes to a log file; cancelling sends SIGTERM, on which the trainer commits a checkpoint
/// and exits with 75, so a later run resumes.
/// </summary>
public static class TrainerProcess
{
    /// <summary>The trainer's "preempted" exit code: stopped on request after a committed checkpoint.</summary>
    public const int Preempted = 75;

    static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(1);

    /// <summary>The trainer program.</summary>
    public static string Program => Path.Combine(AppContext.BaseDirectory, "apriel-trainer.dll");

    /// <summary>Runs <c>apriel-trainer ARGS</c>, calling <paramref name="tick"/> about every second; returns its exit code.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> arguments, string logPath, Func<Task> tick, CancellationToken cancellationToken)
    {
        if (!File.Exists(Program)) throw new FileNotFoundException($"{Program} is missing: build the solution (make build)");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Program);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        await using var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        using var process = new Process { StartInfo = start };
        void Write(string? line)
        {
            if (line == null) return;
            lock (log) log.WriteLine(line);
        }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var stop = cancellationToken.Register(() => { if (!process.HasExited) _ = Kill(process.Id, 15); });
        while (!process.HasExited)
        {
            await Task.WhenAny(process.WaitForExitAsync(CancellationToken.None), Task.Delay(TickInterval, CancellationToken.None));
            await tick();
        }
        await process.WaitForExitAsync(CancellationToken.None); // flushes the output
        return process.ExitCode;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);
}
