using System.Net;
using Apriel.Api.V1Alpha1;
using Apriel.Operator.Jobs;
using Apriel.Operator.Runtime;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Apriel.Operator.Cluster;

/// <summary>
/// The reconcilers' writes to the API server, each idempotent: creating what exists or deleting what is gone
/// is success, so a reconcile interrupted halfway can simply run again.
/// </summary>
public sealed class ClusterWriter(IKubernetes client)
{
    /// <summary>Creates the task ConfigMap, then the Job (the pod needs the ConfigMap to start).</summary>
    public async Task CreateAsync(TrainerJob objects, CancellationToken cancellationToken)
    {
        var ns = objects.Job.Metadata.NamespaceProperty;
        await IgnoreAsync(HttpStatusCode.Conflict, () => client.CoreV1.CreateNamespacedConfigMapAsync(objects.Task, ns, cancellationToken: cancellationToken));
        await IgnoreAsync(HttpStatusCode.Conflict, () => client.BatchV1.CreateNamespacedJobAsync(objects.Job, ns, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Deletes a Job with its pods (they get SIGTERM and checkpoint) and its task ConfigMap. With
    /// <paramref name="waitForPods"/> the Job stays, marked for deletion, until its pods are gone.
    /// </summary>
    public async Task DeleteJobAsync(string? @namespace, string name, bool waitForPods, CancellationToken cancellationToken)
    {
        await IgnoreAsync(HttpStatusCode.NotFound, () => client.BatchV1.DeleteNamespacedJobAsync(name, @namespace,
            propagationPolicy: waitForPods ? "Foreground" : "Background", cancellationToken: cancellationToken));
        await IgnoreAsync(HttpStatusCode.NotFound, () => client.CoreV1.DeleteNamespacedConfigMapAsync(name, @namespace, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Replaces the status of a stage or merge through the status subresource. The object's resourceVersion makes
    /// this optimistic: a conflict throws, and the reconcile is retried on the fresher object.
    /// </summary>
    public Task UpdateStatusAsync(IKubernetesObject<V1ObjectMeta> resource, ResourceType type, CancellationToken cancellationToken) =>
        client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(resource, type.Group, type.Version,
            resource.Metadata.NamespaceProperty, type.Plural, resource.Metadata.Name, cancellationToken: cancellationToken);

    /// <summary>
    /// Sets the resource's finalizers with a merge patch that carries its resourceVersion, so a concurrent change
    /// conflicts instead of being overwritten; on success the resource's metadata takes the new finalizers and
    /// resourceVersion, so later writes in the same reconcile are not refused as stale.
    /// </summary>
    public async Task SetFinalizersAsync(IKubernetesObject<V1ObjectMeta> resource, ResourceType type, IReadOnlyList<string> finalizers, CancellationToken cancellationToken)
    {
        var patch = new { metadata = new { finalizers, resourceVersion = resource.Metadata.ResourceVersion } };
        var patched = await client.CustomObjects.PatchNamespacedCustomObjectAsync<PartialObject>(new V1Patch(patch, V1Patch.PatchType.MergePatch), type.Group, type.Version,
            resource.Metadata.NamespaceProperty, type.Plural, resource.Metadata.Name, cancellationToken: cancellationToken);
        resource.Metadata.Finalizers = patched.Metadata.Finalizers;
        resource.Metadata.ResourceVersion = patched.Metadata.ResourceVersion;
    }

    // Only the metadata of a patched object matters here.
    sealed class PartialObject : IKubernetesObject<V1ObjectMeta>
    {
        public string ApiVersion { get; set; } = "";
        public string Kind { get; set; } = "";
        public V1ObjectMeta Metadata { get; set; } = new();
    }

    /// <summary>Records a Kubernetes Event on a resource, as <c>kubectl describe</c> shows them.</summary>
    public Task RecordEventAsync(IKubernetesObject<V1ObjectMeta> resource, bool warning, string reason, string message, DateTime now,
        CancellationToken cancellationToken) =>
        client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { GenerateName = resource.Metadata.Name + ".", NamespaceProperty = resource.Metadata.NamespaceProperty },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = resource.ApiVersion, Kind = resource.Kind, Name = resource.Metadata.Name,
                NamespaceProperty = resource.Metadata.NamespaceProperty, Uid = resource.Metadata.Uid,
            },
            Type = warning ? "Warning" : "Normal",
            Reason = reason,
            Message = message,
            Source = new V1EventSource { Component = Labels.Operator },
            ReportingComponent = Labels.Operator,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        }, resource.Metadata.NamespaceProperty, cancellationToken: cancellationToken);

    static async Task IgnoreAsync<T>(HttpStatusCode ignored, Func<Task<T>> call)
    {
        try { await call(); }
        catch (HttpOperationException e) when (e.Response.StatusCode == ignored) { }
    }
}
