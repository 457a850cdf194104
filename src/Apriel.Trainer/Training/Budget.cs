using Apriel.Api.V1Alpha1;

namespace Apriel.Trainer.Training;

/// <summary>
/// A run's optimizer steps from its budget: steps as given; tokens as ⌈tokens / (global batch × sequence length)⌉ (a token
/// is a sequence position, packed, padding included); epochs as ⌈rows / global batch⌉ for the rows that many passes over the
/// data pack into (<see cref="Data.DataPipeline.RowsForEpochs"/>).
/// </summary>
public static class Budget
{
    public static long TotalSteps(BudgetSpec budget, BatchSpec batch, int sequenceLength, Func<double, long> rowsForEpochs)
    {
        var set = new[] { budget.Steps is not null, budget.Tokens is not null, budget.Epochs is not null }.Count(x => x);
        if (set != 1) throw new ArgumentException("set exactly one of budget.steps, budget.tokens or budget.epochs");
        var steps = budget.Steps
            ?? (budget.Tokens is { } tokens ? CeilDiv(tokens, (long)batch.GlobalBatchSize * sequenceLength)
            : CeilDiv(rowsForEpochs(budget.Epochs!.Value), batch.GlobalBatchSize));
        return Math.Max(1, steps);
    }

    /// <summary>Forward/backward passes per optimizer step.</summary>
    public static int AccumulationSteps(BatchSpec batch) =>
        batch.MicroBatchSize > 0 && batch.GlobalBatchSize % batch.MicroBatchSize == 0
            ? batch.GlobalBatchSize / batch.MicroBatchSize
            : throw new ArgumentException($"globalBatchSize ({batch.GlobalBatchSize}) must be a multiple of microBatchSize ({batch.MicroBatchSize})");

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;
}
