using Apriel.Api.V1Alpha1;
using Apriel.Operator.Runtime;
using k8s;
using k8s.Models;

namespace Apriel.Operator.Runs;

/// <summary>
/// Maps a change of a stage or merge to the stages or merges that read it, so a dependency that succeeds (or
/// runs again with new inputs) wakes its dependents. Status changes count here: they are what dependents wait for.
/// Dependents are found through an index of the cache by what they reference, not by scanning the namespace.
/// </summary>
public static class Dependents
{
    const string ReferencesIndex = "references";

    /// <summary>A handler enqueuing every <typeparamref name="TDependent"/> whose spec references the changed resource.</summary>
    public static Action<ObjectChange<TChanged>> Enqueue<TChanged, TDependent>(ObjectCache<TDependent> dependents, IRunKind<TDependent> kind, WorkQueue queue, ResourceKind changedKind)
        where TChanged : class, IKubernetesObject<V1ObjectMeta>
        where TDependent : class, IKubernetesObject<V1ObjectMeta>
    {
        dependents.EnsureIndex(ReferencesIndex, d => kind.References(d).Select(r => Key(d.Metadata.NamespaceProperty, r)));
        return change =>
        {
            var changed = Key(change.Object.Metadata.NamespaceProperty, new ResourceRef(changedKind, change.Object.Metadata.Name));
            foreach (var dependent in dependents.ByIndex(ReferencesIndex, changed)) queue.Add(ObjectKey.Of(dependent).ToString());
        };
    }

    static string Key(string? @namespace, ResourceRef reference) => $"{@namespace}/{reference}";
}
