using Apriel.Api.V1Alpha1;

namespace Apriel.Cli.Run;

/// <summary>
/// Shows a run's progress: on a terminal one line rewritten in place, otherwise (logs, CI) a line every few
/// seconds so the output stays readable. <paramref name="unit"/> names what progress counts (steps, or a merge's tensors).
/// </summary>
public sealed class ProgressDisplay(TextWriter output, bool live, string unit = "step")
{
    static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);

    Progress? _last;
    DateTime _lastWritten = DateTime.MinValue;
    int _width;

    /// <summary>Shows <paramref name="progress"/> if it is news.</summary>
    public void Show(string label, Progress? progress)
    {
        if (progress == null || progress == _last) return;
        _last = progress;
        var line = $"  {label}: {ProgressLine.Of(progress, unit)}";
        if (live)
        {
            output.Write("\r" + line.PadRight(_width));
            _width = line.Length;
        }
        else if (DateTime.UtcNow - _lastWritten >= LogInterval)
        {
            output.WriteLine(line);
            _lastWritten = DateTime.UtcNow;
        }
    }

    /// <summary>Ends the display (a live line gets its newline).</summary>
    public void End()
    {
        if (live && _width > 0) output.WriteLine();
    }
}
