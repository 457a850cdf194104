using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Data;

namespace Apriel.Trainer.Tests.Data;

public sealed class MixtureTests
{
    [Theory]
    [InlineData(new[] { 5.0, 2.0, 3.0 })]
    [InlineData(new[] { 1.0, 1.0 })]
    [InlineData(new[] { 1.0, 4.0 })]
    [InlineData(new[] { 0.7, 0.2, 0.05, 0.05 })]
    public void Should_hold_every_source_within_one_draw_of_its_share_at_every_point(double[] weights)
    {
        var draws = new long[weights.Length];
        var total = weights.Sum();
        for (var n = 1; n <= 5000; n++)
        {
            draws[Mixture.Choose(weights, draws)]++;
            for (var i = 0; i < weights.Length; i++)
                Assert.InRange(draws[i] - weights[i] / total * n, -1.0, 1.0);
        }
    }

    [Fact]
    public void Should_draw_documents_in_the_weights_proportions_in_a_pipeline()
    {
        var spec = new DataSpec
        {
            SequenceLength = 256,
            Sources =
            [
                TestData.Source("reasoning", "reasoning-text.jsonl", DataFormat.Text, weight: 50),
                TestData.Source("replay", "text.jsonl", DataFormat.Text, weight: 20),
                TestData.Source("multimodal", "captions.jsonl", DataFormat.ImageText, weight: 30),
            ],
        };
        var pipeline = new DataPipeline(spec, TestData.Inputs, TestData.Renderer(), seed: 14);

        pipeline.NextRows(40);

        var draws = pipeline.Position.Draws;
        var n = (double)draws.Sum();
        Assert.True(n >= 40, $"{n} documents");
        Assert.InRange(draws[0] - 0.5 * n, -1, 1);
        Assert.InRange(draws[1] - 0.2 * n, -1, 1);
        Assert.InRange(draws[2] - 0.3 * n, -1, 1);
    }
}
