using Apriel.Testing;

namespace Apriel.Integration.Tests;

/// <summary>The Helm chart (<c>charts/apriel-operator</c>) rendered by the real helm binary and applied to the test control plane.</summary>
internal static class HelmChart
{
    public static string Path => RepoPaths.Of("charts/apriel-operator");

    /// <summary>Runs helm with the given arguments; throws with its output when it fails.</summary>
    public static async Task<string> HelmAsync(params string[] arguments)
    {
        var result = await Command.RunAsync(TestTools.Helm, arguments);
        Assert.True(result.Succeeded, $"helm {string.Join(' ', arguments)}: {result}");
        return result.StdOut;
    }

    /// <summary>
    /// The chart rendered as release <c>apriel-NAMESPACE</c> in <paramref name="ns"/> (cluster-scoped names stay
    /// distinct per test), with <c>--set</c> values and optionally only some templates.
    /// </summary>
    public static Task<string> RenderAsync(string ns, IEnumerable<string> sets, params string[] only) =>
        HelmAsync([
            "template", "apriel-" + ns, Path, "--namespace", ns,
            .. sets.SelectMany(s => new[] { "--set", s }),
            .. only.SelectMany(t => new[] { "--show-only", t }),
        ]);

    /// <summary>Renders and applies the chart (its CRDs are installed separately, as <c>helm install</c> would first).</summary>
    public static async Task InstallAsync(ControlPlane cluster, string ns, IEnumerable<string> sets, params string[] only)
    {
        var applied = await cluster.KubectlAsync(["apply", "-n", ns, "-f", "-"], await RenderAsync(ns, sets, only));
        Assert.True(applied.Succeeded, applied.ToString());
    }
}
