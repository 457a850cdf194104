using Apriel.Operator.Jobs;
using Apriel.Operator.Runtime;
using k8s.Models;

namespace Apriel.Operator.Runs;

/// <summary>A run's trainer pods, found in the pod cache by an index of their resource and run-id labels.</summary>
public static class RunPods
{
    const string Index = "run";

    /// <summary><paramref name="pods"/>, indexed for <see cref="Of"/> (the controllers share the cache: the first one indexes it).</summary>
    public static ObjectCache<V1Pod> Indexed(ObjectCache<V1Pod> pods)
    {
        pods.EnsureIndex(Index, ValuesOf);
        return pods;
    }

    /// <summary>The pods of <paramref name="resource"/>'s run <paramref name="runId"/>, in a cache made <see cref="Indexed"/>.</summary>
    public static IReadOnlyList<V1Pod> Of(ObjectCache<V1Pod> pods, string? @namespace, string resource, string runId) =>
        pods.ByIndex(Index, Key(@namespace, resource, runId));

    static IEnumerable<string> ValuesOf(V1Pod pod) =>
        pod.Metadata.Labels is { } labels && labels.TryGetValue(Labels.Resource, out var resource) && labels.TryGetValue(Labels.RunId, out var runId)
            ? [Key(pod.Metadata.NamespaceProperty, resource, runId)]
            : [];

    static string Key(string? @namespace, string resource, string runId) => $"{@namespace}/{resource}/{runId}";
}
