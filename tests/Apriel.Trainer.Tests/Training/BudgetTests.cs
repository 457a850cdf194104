using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Data;
using Apriel.Trainer.Tests.Data;
using Apriel.Trainer.Training;

namespace Apriel.Trainer.Tests.Training;

public sealed class BudgetTests
{
    private static readonly BatchSpec Batch = new() { GlobalBatchSize = 8, MicroBatchSize = 2 };

    [Fact]
    public void Should_take_steps_as_given_and_derive_them_from_tokens()
    {
        Assert.Equal(60, Budget.TotalSteps(new BudgetSpec { Steps = 60 }, Batch, 256, _ => throw new InvalidOperationException()));
        Assert.Equal(3, Budget.TotalSteps(new BudgetSpec { Tokens = 2 * 8 * 256 + 1 }, Batch, 256, _ => throw new InvalidOperationException()));
        Assert.Equal(4, Budget.AccumulationSteps(Batch));
        Assert.Throws<ArgumentException>(() => Budget.AccumulationSteps(new BatchSpec { GlobalBatchSize = 6, MicroBatchSize = 4 }));
    }

    [Fact]
    public void Should_count_the_rows_that_epochs_over_the_data_pack_into()
    {
        var spec = new DataSpec { SequenceLength = 256, Sources = [TestData.Source("sft", "reasoning-chat.jsonl", DataFormat.Chat)] };
        var pipeline = new DataPipeline(spec, TestData.Inputs, TestData.Renderer(LossTokens.Responses), seed: 16);
        var records = pipeline.Sources[0].Count;

        var rows = pipeline.RowsForEpochs(2);

        // Counted independently: rows until 2 × records documents are consumed.
        var check = new DataPipeline(spec, TestData.Inputs, TestData.Renderer(LossTokens.Responses), seed: 16);
        long expected = 0;
        while (check.Position.Documents < 2 * records)
        {
            check.NextRows(1);
            expected++;
        }
        Assert.Equal(expected, rows);
        Assert.InRange(rows, 2 * records / 3, 2 * records); // one to three chats per row
        Assert.Equal((rows + 7) / 8, Budget.TotalSteps(new BudgetSpec { Epochs = 2 }, Batch, 256, pipeline.RowsForEpochs));
    }
}
