using Apriel.Operator.Jobs;
using Apriel.Operator.Runtime;
using k8s.Models;

namespace Apriel.Operator.Runs;

/// <summary>A run's trainer pods, found in the pod cache by an index of their resource and run-id labels.</summary>
public static class RunPods
{
    const string Index = "run";

    /// <summary>The pods of <paramref name="resource"/>'s run <paramref name="runId"/>.</summary>
    public static IReadOnlyList<V1Pod> Of(ObjectCache<V1Pod> pods, string? @namespace, string resource, string runId)
    {
        pods.EnsureIndex(Index, ValuesOf); // once: a cheap lookup after that
        return pods.ByIndex(Index, Key(@namespace, resource, runId));
    }

    static IEnumerable<string> ValuesOf(V1Pod pod) =>
        pod.Metadata.Labels is { } labels && labels.TryGetValue(Labels.Resource, out var resource) && labels.TryGetValue(Labels.RunId, out var runId)
            ? [Key(pod.Metadata.NamespaceProperty, resource, runId)]
            : [];

    static string Key(string? @namespace, string resource, string runId) => $"{@namespace}/{resource}/{runId}";
}
