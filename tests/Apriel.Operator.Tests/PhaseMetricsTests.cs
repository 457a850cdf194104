using Apriel.Api.V1Alpha1;
using Apriel.Operator.Runs;
using Apriel.Operator.Runtime;
using k8s.Models;
using Prometheus;

namespace Apriel.Operator.Tests;

public sealed class PhaseMetricsTests
{
    [Fact]
    public async Task Resources_are_counted_by_kind_and_phase_at_scrape_time()
    {
        var stages = new ObjectCache<TrainingStage>();
        var merges = new ObjectCache<ModelMerge>();
        var registry = Metrics.NewCustomRegistry();
        PhaseMetrics.Register(stages, merges, registry);
        foreach (var (name, phase) in new[] { ("a", Phase.Running), ("b", Phase.Running), ("c", (Phase?)null) })
            stages.Set(new TrainingStage
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "ns" },
                Spec = TrainerJobBuilderTests.Stage().Spec,
                Status = phase == null ? null : new TrainingStageStatus { Phase = phase },
            });

        using var text = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(text);
        var scrape = System.Text.Encoding.UTF8.GetString(text.ToArray());

        Assert.Contains("apriel_resources{kind=\"TrainingStage\",phase=\"Running\"} 2", scrape);
        Assert.Contains("apriel_resources{kind=\"TrainingStage\",phase=\"Unknown\"} 1", scrape);
        Assert.Contains("apriel_resources{kind=\"ModelMerge\",phase=\"Succeeded\"} 0", scrape);
    }
}
