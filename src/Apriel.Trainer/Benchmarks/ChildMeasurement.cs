using System.Diagnostics;
using System.Globalization;

namespace Apriel.Trainer.Benchmarks;

/// <summary>
/// Benchmarks that measure peak memory run the measured work in a child process (this program again, with the
/// benchmark's hidden arguments), so that the peak is the work's own: the child ends by printing one line
/// <c>measured VALUE…</c>, which <see cref="Run(string[])"/> returns.
/// </summary>
public static class ChildMeasurement
{
    /// <summary>Runs <c>apriel-trainer ARGUMENTS</c> as a child and returns the values of its <c>measured</c> line.</summary>
    public static double[] Run(params string[] arguments) => Run(new Dictionary<string, string>(), arguments);

    /// <summary><see cref="Run(string[])"/> with <paramref name="environment"/> added to the child's environment.</summary>
    public static double[] Run(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var self = Environment.ProcessPath!;
        string[] command = Path.GetFileNameWithoutExtension(self) == "dotnet" ? [typeof(ChildMeasurement).Assembly.Location, .. arguments] : arguments;
        var start = new ProcessStartInfo(self, command) { RedirectStandardOutput = true };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var child = Process.Start(start)!;
        var lines = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        var fields = (lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "").Split(' ');
        if (child.ExitCode != 0 || fields[0] != "measured")
            throw new InvalidOperationException($"the measured run ({string.Join(' ', arguments)}) failed (exit {child.ExitCode}):\n{lines}");
        return [.. fields.Skip(1).Select(f => double.Parse(f, CultureInfo.InvariantCulture))];
    }

    /// <summary>The child's last line: <c>measured</c> and the values, invariant-formatted.</summary>
    public static void Report(TextWriter output, params double[] values) =>
        output.WriteLine("measured " + string.Join(' ', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));

    /// <summary>This process's peak resident memory in bytes (<c>VmHWM</c>), or its current one (<c>VmRSS</c>).</summary>
    public static long Rss(bool peak = true)
    {
        var key = peak ? "VmHWM:" : "VmRSS:";
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(key, StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
