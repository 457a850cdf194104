using Apriel.Testing;
using k8s;
using k8s.Models;

namespace Apriel.Integration.Tests;

/// <summary>
/// A ServiceAccount bound to the operator's RBAC rules as the Helm chart defines them
/// (<c>charts/apriel-operator/files/*-rules.yaml</c>), so tests run the operator with exactly its production rights.
/// </summary>
internal static class OperatorIdentity
{
    /// <summary>Creates the identity in <paramref name="operatorNamespace"/> and writes its kubeconfig; returns the path.</summary>
    public static async Task<string> CreateAsync(ControlPlane cluster, string operatorNamespace, string kubeconfigPath)
    {
        using var client = cluster.CreateClient();
        var name = "apriel-operator-" + operatorNamespace;
        await client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "apriel-operator" } }, operatorNamespace);
        var subject = new Rbacv1Subject { Kind = "ServiceAccount", Name = "apriel-operator", NamespaceProperty = operatorNamespace };

        await client.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole { Metadata = new V1ObjectMeta { Name = name }, Rules = Rules("operator-rules.yaml") });
        await client.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = name },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = name },
            Subjects = [subject],
        });
        await client.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role { Metadata = new V1ObjectMeta { Name = "apriel-operator-leader-election" }, Rules = Rules("leader-election-rules.yaml") }, operatorNamespace);
        await client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "apriel-operator-leader-election" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "apriel-operator-leader-election" },
            Subjects = [subject],
        }, operatorNamespace);
        var path = await cluster.WriteKubeconfigForServiceAccountAsync(operatorNamespace, "apriel-operator");
        File.Copy(path, kubeconfigPath, overwrite: true);
        return kubeconfigPath;
    }

    static List<V1PolicyRule> Rules(string file) =>
        KubernetesYaml.Deserialize<List<V1PolicyRule>>(File.ReadAllText(RepoPaths.Of(Path.Combine("charts/apriel-operator/files", file))));
}
