namespace Apriel.Trainer.Data;

/// <summary>
/// Where a data stream is: documents drawn from each source so far (the next document's source and draw follow from these,
/// <see cref="Mixture"/>), and how many pieces of that next document were already packed (a long text is cut into pieces).
/// Saved in checkpoints; restoring it gives the same batches as an uninterrupted run.
/// </summary>
public sealed record DataPosition(IReadOnlyList<long> Draws, int Piece)
{
    public static DataPosition Start(int sources) => new(new long[sources], 0);

    /// <summary>Documents fully consumed.</summary>
    public long Documents => Draws.Sum();
}
