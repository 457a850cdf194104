using System.Net;
using Apriel.Testing;
using k8s;
using k8s.Models;
using Xunit;

namespace Apriel.Integration.Tests;

/// <summary>The test control plane does what later tests rely on: Jobs → Pods → binding → GC.</summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class ControlPlaneSmokeTests(ControlPlaneFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task JobPodIsScheduledOnGpuNodeAndGarbageCollected()
    {
        var cluster = fixture.ControlPlane;
        using var client = cluster.CreateClient();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var nodeName = $"gpu-node-{suffix}";
        var ns = $"smoke-{suffix}";
        await cluster.RegisterNodeAsync(nodeName, gpuCount: 1);
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });

        await client.BatchV1.CreateNamespacedJobAsync(GpuJob("train", nodeName), ns);

        // The Job controller creates the pod; the scheduler binds it only if the GPU fits.
        var pod = await Poll.ForAsync("the Job's pod to be bound", async ct =>
        {
            var pods = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "job-name=train", cancellationToken: ct);
            return pods.Items.SingleOrDefault(p => p.Spec.NodeName is not null);
        }, Timeout);
        Assert.Equal(nodeName, pod.Spec.NodeName);

        // Play the kubelet: the pod finished, so the Job completes. (A pod still running would
        // only get a deletionTimestamp below: graceful deletion waits for a kubelet.)
        await client.CoreV1.PatchNamespacedPodStatusAsync(
            new V1Patch("""{"status":{"phase":"Succeeded"}}""", V1Patch.PatchType.MergePatch), pod.Name(), ns);
        await Poll.UntilAsync("the Job to succeed", async ct =>
            (await client.BatchV1.ReadNamespacedJobStatusAsync("train", ns, cancellationToken: ct)).Status?.Succeeded == 1, Timeout);

        // Deleting the owner deletes the pod (Background: batch/v1 Jobs orphan by default).
        await client.BatchV1.DeleteNamespacedJobAsync("train", ns, propagationPolicy: "Background");
        await Poll.UntilAsync("the pod to be garbage collected", async ct =>
            (await client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: ct)).Items.Count == 0, Timeout);

        // The namespace controller finalizes namespace deletion (tests clean up this way).
        await client.CoreV1.DeleteNamespaceAsync(ns);
        await Poll.UntilAsync("the namespace to be deleted", async ct =>
            !(await client.CoreV1.ListNamespaceAsync(cancellationToken: ct)).Items.Any(n => n.Name() == ns), Timeout);
    }

    [Fact]
    public async Task ServiceAccountKubeconfigHasOnlyItsRolesRights()
    {
        var cluster = fixture.ControlPlane;
        using var admin = cluster.CreateClient();
        var ns = $"sa-{Guid.NewGuid().ToString("N")[..8]}";
        await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        await admin.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "operator" } }, ns);
        await admin.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role
        {
            Metadata = new V1ObjectMeta { Name = "pod-reader" },
            Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["get", "list"] }],
        }, ns);
        await admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "operator-pod-reader" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "pod-reader" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "operator", NamespaceProperty = ns }],
        }, ns);

        var kubeconfig = await cluster.WriteKubeconfigForServiceAccountAsync(ns, "operator");
        using var restricted = cluster.CreateClient(kubeconfig);

        Assert.Empty((await restricted.CoreV1.ListNamespacedPodAsync(ns)).Items);
        var denied = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(
            () => restricted.CoreV1.ListNamespacedPodAsync("default"));
        Assert.Equal(HttpStatusCode.Forbidden, denied.Response.StatusCode);
        var canI = await cluster.KubectlAsync(["auth", "can-i", "delete", "pods", "-n", ns], stdin: null, kubeconfig);
        Assert.Equal("no", canI.StdOut.Trim());
    }

    [Fact]
    public async Task KubectlTalksToTheControlPlane()
    {
        var result = await fixture.ControlPlane.KubectlAsync("get", "namespace", "default", "-o", "name");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal("namespace/default", result.StdOut.Trim());
    }

    private static V1Job GpuJob(string name, string nodeName) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1JobSpec
        {
            BackoffLimit = 0,
            Template = new V1PodTemplateSpec
            {
                Spec = new V1PodSpec
                {
                    RestartPolicy = "Never",
                    // Other tests in the collection may register GPU nodes too.
                    NodeSelector = new Dictionary<string, string> { ["kubernetes.io/hostname"] = nodeName },
                    Containers =
                    [
                        new V1Container
                        {
                            Name = "trainer",
                            Image = "example.invalid/trainer:test", // never pulled: there is no kubelet
                            Resources = new V1ResourceRequirements
                            {
                                Limits = new Dictionary<string, ResourceQuantity> { [ControlPlane.GpuResource] = new("1") },
                            },
                        },
                    ],
                },
            },
        },
    };
}
