using System.Globalization;
using Apriel.Api.V1Alpha1;

namespace Apriel.Cli.Run;

/// <summary>One line of the live display: where a run is, how fast it goes, when it ends.</summary>
public static class ProgressLine
{
    /// <summary>
    /// E.g. <c>step 40/60 (66%)  loss 3.214  1.2k tok/s  ETA 12s</c>, or for a merge (<paramref name="unit"/> "tensor")
    /// <c>tensor 120/292 (41%)  ETA 8s</c>.
    /// </summary>
    public static string Of(Progress p, string unit = "step")
    {
        var parts = new List<string> { $"{unit} {p.Step}/{p.Total} ({p.Percent}%)" };
        if (p.Loss is { } loss) parts.Add("loss " + loss.ToString("0.000", CultureInfo.InvariantCulture));
        if (p.TokensPerSecond is { } speed) parts.Add(Count(speed) + " tok/s");
        if (p.EtaSeconds is { } eta) parts.Add("ETA " + Duration(TimeSpan.FromSeconds(eta)));
        return string.Join("  ", parts);
    }

    /// <summary>A short duration: <c>45s</c>, <c>3m05s</c>, <c>2h10m</c>.</summary>
    public static string Duration(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes}m{t.Seconds:00}s" : $"{Math.Max(0, (int)t.TotalSeconds)}s";

    static string Count(double n) => n >= 1e6 ? (n / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + "M"
        : n >= 1e3 ? (n / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + "k"
        : n.ToString("0", CultureInfo.InvariantCulture);
}
