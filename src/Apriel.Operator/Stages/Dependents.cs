using Apriel.Api.V1Alpha1;
using Apriel.Operator.Runtime;
using k8s;
using k8s.Models;

namespace Apriel.Operator.Stages;

/// <summary>
/// Maps a change of a stage or merge to the stages that start from it, so a dependency that succeeds (or runs
/// again with new inputs) wakes its dependents. Status changes count here: they are what dependents wait for.
/// </summary>
public static class Dependents
{
    /// <summary>A handler enqueuing every stage whose <c>spec.model</c> names the changed resource.</summary>
    public static Action<ObjectChange<T>> EnqueueStagesUsing<T>(ObjectCache<TrainingStage> stages, WorkQueue queue, ResourceKind kind)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        change =>
        {
            var changed = new ResourceRef(kind, change.Object.Metadata.Name);
            foreach (var stage in stages.List(change.Object.Metadata.NamespaceProperty))
                if (stage.Spec.Model.Reference == changed)
                    queue.Add(ObjectKey.Of(stage).ToString());
        };
}
