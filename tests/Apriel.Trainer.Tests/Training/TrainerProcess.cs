using System.Diagnostics;
using System.Text;

namespace Apriel.Trainer.Tests.Training;

/// <summary>The trainer as a process (<c>apriel-trainer train --task FILE</c>), with its output collected.</summary>
internal sealed class TrainerProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private TrainerProcess(string taskFile, IReadOnlyDictionary<string, string> environment, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "apriel-trainer.dll"), "train", "--task", taskFile, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static TrainerProcess Start(string taskFile, IReadOnlyDictionary<string, string>? environment = null, params string[] arguments) =>
        new(taskFile, environment ?? new Dictionary<string, string>(), arguments);

    /// <summary>Runs the trainer to its end; returns its exit code and output.</summary>
    public static (int ExitCode, string Output) Run(string taskFile, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var trainer = Start(taskFile, environment);
        // A guard against hanging, not a speed requirement.
        Assert.True(trainer.WaitForExit(TimeSpan.FromMinutes(5)), $"the trainer did not finish:\n{trainer.Output}");
        return (trainer.ExitCode, trainer.Output);
    }

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    public string Output
    {
        get
        {
            lock (output) return output.ToString();
        }
    }

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout)) return false;
        process.WaitForExit(); // drains the redirected output
        return true;
    }

    public void Dispose()
    {
        if (!process.HasExited) process.Kill();
        process.Dispose();
    }
}
