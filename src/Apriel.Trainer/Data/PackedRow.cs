namespace Apriel.Trainer.Data;

/// <summary>
/// One training row of exactly the sequence length: token ids, per token whether it is a loss target, a document id per
/// token (0, 1, … per document in the row; the padding after the last document has an id of its own), and the row's
/// images in order.
/// </summary>
public sealed record PackedRow(int[] Ids, bool[] Loss, int[] DocumentIds, IReadOnlyList<DocumentImage> Images)
{
    public int Length => Ids.Length;

    /// <summary>
    /// The label of each position: the next token when it is a loss target of the same document, else -100 (ignored). The
    /// last token of a document never predicts the first of the next.
    /// </summary>
    public long[] Labels()
    {
        var labels = new long[Length];
        for (var t = 0; t < Length; t++)
        {
            labels[t] = t + 1 < Length && Loss[t + 1] && DocumentIds[t + 1] == DocumentIds[t] ? Ids[t + 1] : -100;
        }
        return labels;
    }

    /// <summary>Positions whose label counts.</summary>
    public int LossTokens => Labels().Count(l => l != -100);
}
