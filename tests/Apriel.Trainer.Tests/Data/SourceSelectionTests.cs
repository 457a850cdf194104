using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Data;

namespace Apriel.Trainer.Tests.Data;

public sealed class SourceSelectionTests
{
    private static DataSource Spec(SubsetSpec? subset = null, int? min = null, int? max = null, long? maxSamples = null) =>
        new() { Name = "s", Uri = "/x", Format = DataFormat.Chat, Subset = subset, MinTokens = min, MaxTokens = max, MaxSamples = maxSamples };

    [Fact]
    public void Should_keep_the_fraction_of_every_stratum_in_a_stratified_subset()
    {
        // 100 "a", 40 "b", 8 "c": a quarter of each.
        var strata = Enumerable.Repeat("a", 100).Concat(Enumerable.Repeat("b", 40)).Concat(Enumerable.Repeat("c", 8)).ToArray();
        var lengths = strata.Select(_ => 10).ToArray();

        var kept = SourceSelection.Select(strata, lengths, Spec(new SubsetSpec { Fraction = 0.25, StratifyBy = "kind" }), seed: 3);

        Assert.Equal(25, kept.Count(i => strata[i] == "a"));
        Assert.Equal(10, kept.Count(i => strata[i] == "b"));
        Assert.Equal(2, kept.Count(i => strata[i] == "c"));
        Assert.Equal(kept.Order(), kept);
        Assert.Equal(kept, SourceSelection.Select(strata, lengths, Spec(new SubsetSpec { Fraction = 0.25, StratifyBy = "kind" }), seed: 3));
        Assert.NotEqual(kept, SourceSelection.Select(strata, lengths, Spec(new SubsetSpec { Fraction = 0.25, StratifyBy = "kind" }), seed: 4));
    }

    [Fact]
    public void Should_filter_by_length_and_then_cap_the_sample_count()
    {
        var lengths = Enumerable.Range(0, 100).ToArray();
        var strata = new string?[100];

        var filtered = SourceSelection.Select(strata, lengths, Spec(min: 20, max: 59), seed: 0);
        var capped = SourceSelection.Select(strata, lengths, Spec(min: 20, max: 59, maxSamples: 7), seed: 0);

        Assert.Equal(Enumerable.Range(20, 40), filtered);
        Assert.Equal(7, capped.Length);
        Assert.All(capped, i => Assert.InRange(i, 20, 59));
    }

    [Fact]
    public void Should_apply_the_selection_to_a_real_source_file()
    {
        var spec = TestData.Source("sft", "reasoning-chat.jsonl", DataFormat.Chat) with { Subset = new SubsetSpec { Fraction = 0.25, StratifyBy = "kind" } };
        var all = new RecordSource(TestData.Source("sft", "reasoning-chat.jsonl", DataFormat.Chat), TestData.Inputs, TestData.Renderer(), seed: 1);

        var subset = new RecordSource(spec, TestData.Inputs, TestData.Renderer(), seed: 1);

        Assert.InRange(subset.Count, all.Count / 4 - 3, all.Count / 4 + 3);
    }
}
