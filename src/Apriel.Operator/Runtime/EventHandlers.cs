using k8s;
using k8s.Models;

namespace Apriel.Operator.Runtime;

/// <summary>Maps informer changes to work-queue keys, as controller-runtime's handlers do.</summary>
public static class EventHandlers
{
    /// <summary>
    /// The changed object's own key, skipping updates that touch only status (ours, mostly): generation,
    /// labels, annotations, finalizers and deletion are what a reconcile of the object itself must see.
    /// </summary>
    public static Action<ObjectChange<T>> EnqueueSelf<T>(WorkQueue queue) where T : class, IKubernetesObject<V1ObjectMeta> =>
        change =>
        {
            if (change is { Old: { } old, New: { } @new } && !MetadataOrSpecChanged(old.Metadata, @new.Metadata)) return;
            queue.Add(ObjectKey.Of(change.Object).ToString());
        };

    /// <summary>The key of the controlling owner of the changed object, when it is of <paramref name="ownerKind"/>.</summary>
    public static Action<ObjectChange<T>> EnqueueOwner<T>(WorkQueue queue, string ownerKind) where T : class, IKubernetesObject<V1ObjectMeta> =>
        change =>
        {
            foreach (var o in new[] { change.Old, change.New })
                if (o?.Metadata.OwnerReferences?.FirstOrDefault(r => r.Controller == true && r.Kind == ownerKind) is { } owner)
                    queue.Add(new ObjectKey(o.Metadata.NamespaceProperty, owner.Name).ToString());
        };

    /// <summary>
    /// The key of the resource named by the changed object's labels (<paramref name="kindLabel"/> equal to
    /// <paramref name="kind"/>, <paramref name="nameLabel"/> its name): how a pod, owned by a Job, reaches the stage.
    /// </summary>
    public static Action<ObjectChange<T>> EnqueueLabelled<T>(WorkQueue queue, string kindLabel, string kind, string nameLabel) where T : class, IKubernetesObject<V1ObjectMeta> =>
        change =>
        {
            var labels = change.Object.Metadata.Labels;
            if (labels != null && labels.TryGetValue(kindLabel, out var k) && k == kind && labels.TryGetValue(nameLabel, out var name))
                queue.Add(new ObjectKey(change.Object.Metadata.NamespaceProperty, name).ToString());
        };

    static bool MetadataOrSpecChanged(V1ObjectMeta old, V1ObjectMeta @new) =>
        old.Generation != @new.Generation
        || old.DeletionTimestamp != @new.DeletionTimestamp
        || !SameSet(old.Finalizers, @new.Finalizers)
        || !SameMap(old.Labels, @new.Labels)
        || !SameMap(old.Annotations, @new.Annotations);

    static bool SameSet(IList<string>? a, IList<string>? b) => (a ?? []).Order().SequenceEqual((b ?? []).Order());

    static bool SameMap(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a ?? new Dictionary<string, string>()).All(kv => b != null && b.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
