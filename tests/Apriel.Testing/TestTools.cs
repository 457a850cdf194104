namespace Apriel.Testing;

/// <summary>
/// Where the external programs the tests run live. Versions and layout match
/// tests/env/install.sh, which installs and caches them outside the repo.
/// </summary>
public static class TestTools
{
    public const string KubernetesVersion = "1.20.2";
    public const string S3rverVersion = "3.7.1";

    /// <summary>Patch level of the cached s3rver (tests/env/install.sh, S3RVER_PATCH).</summary>
    public const string S3rverPatch = "p1";
    public const string HelmVersion = "4.1.4";

    /// <summary>$APRIEL_CACHE, or ~/.cache/apriel (the install script's default).</summary>
    public static string CacheDirectory =>
        Environment.GetEnvironmentVariable("APRIEL_CACHE") is { Length: > 0 } dir
            ? dir
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "apriel");

    public static string Etcd => Require("/usr/bin/etcd");

    public static string Kubectl => Require("/usr/bin/kubectl");

    public static string KubeApiServer => Require(KubeBinary("kube-apiserver"));

    public static string KubeControllerManager => Require(KubeBinary("kube-controller-manager"));

    public static string KubeScheduler => Require(KubeBinary("kube-scheduler"));

    public static string Node => Require(FindOnPath("node") ?? "/usr/bin/node");

    public static string S3rverScript => Require(Path.Combine(
        CacheDirectory, $"npm-s3rver-{S3rverVersion}-{S3rverPatch}", "node_modules", "s3rver", "bin", "s3rver.js"));

    public static string Helm => Require(Path.Combine(CacheDirectory, $"helm-{HelmVersion}", "helm"));

    /// <summary>Throws the install hint unless every control-plane binary is there.</summary>
    public static void RequireControlPlane()
    {
        _ = Etcd;
        _ = KubeApiServer;
        _ = KubeControllerManager;
        _ = KubeScheduler;
    }

    private static string KubeBinary(string name) =>
        Path.Combine(CacheDirectory, $"kubernetes-{KubernetesVersion}", "bin", name);

    private static string Require(string path) => File.Exists(path)
        ? path
        : throw new FileNotFoundException(
            $"Test tool '{path}' is missing: run tests/env/install.sh (it builds and caches the test " +
            "control plane, s3rver and helm under $APRIEL_CACHE, default ~/.cache/apriel).", path);

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
