using System.Globalization;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace Apriel.Testing;

public sealed partial class ControlPlane
{
    public const string GpuResource = "nvidia.com/gpu";

    /// <summary>
    /// Registers a schedulable Node the way a kubelet would (there is none): Ready, with cpu,
    /// memory and pods capacity and <paramref name="gpuCount"/> <c>nvidia.com/gpu</c>.
    /// </summary>
    public async Task<V1Node> RegisterNodeAsync(string name, int gpuCount = 0, IReadOnlyList<V1Taint>? taints = null, CancellationToken cancellationToken = default)
    {
        using var client = CreateClient();
        await client.CoreV1.CreateNodeAsync(new V1Node
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Labels = new Dictionary<string, string>
                {
                    ["kubernetes.io/hostname"] = name,
                    ["kubernetes.io/os"] = "linux",
                    ["kubernetes.io/arch"] = "amd64",
                },
            },
        }, cancellationToken: cancellationToken);

        // Capacity (extended resources included) and conditions are only writable through nodes/status.
        var capacity = new Dictionary<string, string> { ["cpu"] = "16", ["memory"] = "64Gi", ["pods"] = "110" };
        if (gpuCount > 0)
        {
            capacity[GpuResource] = gpuCount.ToString(CultureInfo.InvariantCulture);
        }
        var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var status = new
        {
            status = new
            {
                capacity,
                allocatable = capacity,
                conditions = new[]
                {
                    new { type = "Ready", status = "True", reason = "KubeletReady", message = "registered by the test", lastHeartbeatTime = now, lastTransitionTime = now },
                },
                addresses = new[] { new { type = "InternalIP", address = "127.0.0.1" }, new { type = "Hostname", address = name } },
            },
        };
        await client.CoreV1.PatchNodeStatusAsync(
            new V1Patch(JsonSerializer.Serialize(status), V1Patch.PatchType.MergePatch), name, cancellationToken: cancellationToken);

        // The TaintNodesByCondition admission plugin marks new Nodes not-ready; without the node
        // lifecycle controller nothing would ever lift it.
        var node = await client.CoreV1.ReadNodeAsync(name, cancellationToken: cancellationToken);
        var kept = node.Spec?.Taints?.Where(t => t.Key != "node.kubernetes.io/not-ready").Concat(taints ?? []).ToList();
        // (System.Text.Json writes the null that deletes the field; KubernetesJson would drop it.)
        var taintPatch = new { spec = new { taints = kept is { Count: > 0 } ? kept.Select(t => new { key = t.Key, value = t.Value, effect = t.Effect }) : null } };
        return await client.CoreV1.PatchNodeAsync(
            new V1Patch(JsonSerializer.Serialize(taintPatch), V1Patch.PatchType.MergePatch), name, cancellationToken: cancellationToken);
    }
}
