using Apriel.Api.V1Alpha1;
using Apriel.Operator.Runtime;
using k8s;
using k8s.Models;
using Prometheus;

namespace Apriel.Operator.Runs;

/// <summary>
/// <c>apriel_resources{kind, phase}</c>: how many stages and merges are in each phase, counted from the informer
/// caches when Prometheus scrapes (no bookkeeping on the reconcile path).
/// </summary>
public static class PhaseMetrics
{
    /// <summary>Registers the gauge for both caches.</summary>
    public static void Register(ObjectCache<TrainingStage> stages, ObjectCache<ModelMerge> merges, CollectorRegistry? registry = null)
    {
        registry ??= Metrics.DefaultRegistry;
        var gauge = Metrics.WithCustomRegistry(registry).CreateGauge("apriel_resources", "TrainingStages and ModelMerges by kind and phase.",
            new GaugeConfiguration { LabelNames = ["kind", "phase"] });
        registry.AddBeforeCollectCallback(() =>
        {
            Count(gauge, TrainingStage.KindName, stages, s => s.Status?.Phase);
            Count(gauge, ModelMerge.KindName, merges, m => m.Status?.Phase);
        });
    }

    static void Count<T>(Gauge gauge, string kind, ObjectCache<T> cache, Func<T, Phase?> phase) where T : IKubernetesObject<V1ObjectMeta>
    {
        var counts = cache.List().GroupBy(o => phase(o)?.ToString() ?? "Unknown").ToDictionary(g => g.Key, g => g.Count());
        foreach (var name in Enum.GetNames<Phase>().Append("Unknown"))
            gauge.WithLabels(kind, name).Set(counts.GetValueOrDefault(name));
    }
}
