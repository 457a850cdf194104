using Apriel.Testing;

namespace Apriel.Integration.Tests;

/// <summary>
/// The operator's ServiceAccount and RBAC exactly as the Helm chart renders them, so tests run the operator with
/// its production rights and nothing more.
/// </summary>
internal static class OperatorIdentity
{
    /// <summary>Installs the chart's identity in <paramref name="operatorNamespace"/> and writes its kubeconfig; returns the path.</summary>
    public static async Task<string> CreateAsync(ControlPlane cluster, string operatorNamespace, string kubeconfigPath)
    {
        await HelmChart.InstallAsync(cluster, operatorNamespace, [], "templates/serviceaccount.yaml", "templates/rbac.yaml");
        var path = await cluster.WriteKubeconfigForServiceAccountAsync(operatorNamespace, "apriel-" + operatorNamespace + "-apriel-operator");
        File.Copy(path, kubeconfigPath, overwrite: true);
        return kubeconfigPath;
    }
}
