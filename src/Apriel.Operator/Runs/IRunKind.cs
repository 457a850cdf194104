using Apriel.Api.V1Alpha1;
using k8s;
using k8s.Models;

namespace Apriel.Operator.Runs;

/// <summary>What differs between TrainingStages and ModelMerges for the reconciler's shell.</summary>
public interface IRunKind<T> where T : IKubernetesObject<V1ObjectMeta>
{
    /// <summary>The resource's API type (for status and metadata writes).</summary>
    Runtime.ResourceType Type { get; }

    /// <summary>The parts the planner decides on.</summary>
    RunResource View(T resource);

    /// <summary>The stages and merges it reads, in spec order (duplicates allowed).</summary>
    IEnumerable<ResourceRef> References(T resource);

    /// <summary>
    /// Its run with every input pinned to a digest, once every dependency is ready; an error message (not an
    /// exception) when an input cannot be resolved yet.
    /// </summary>
    Task<(ResolvedRun? Run, string? Error)> ResolveAsync(T resource, CancellationToken cancellationToken);

    /// <summary>Sets the resource's status to <paramref name="status"/> (of the type the planner built for it).</summary>
    void SetStatus(T resource, RunStatus status);
}
