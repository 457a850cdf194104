using Apriel.Trainer.Vision;

namespace Apriel.Trainer.Data;

/// <summary>
/// One training document, rendered and tokenized: its token ids, per token whether it is a loss target (the model is
/// trained to predict it from the tokens before it), and its images in the order their <c>[IMG]</c> runs appear.
/// </summary>
public sealed record Document(int[] Ids, bool[] Loss, IReadOnlyList<DocumentImage> Images)
{
    public int Length => Ids.Length;

    /// <summary>Tokens that carry loss.</summary>
    public int LossTokens => Loss.Count(x => x);

    /// <summary>
    /// The document cut into pieces of at most <paramref name="maxLength"/> tokens, each trained as a document of its own
    /// (how a long text is packed). A document with images is never cut: when it is too long there are no pieces.
    /// </summary>
    public IReadOnlyList<Document> Pieces(int maxLength)
    {
        if (Length <= maxLength) return [this];
        if (Images.Count > 0) return [];
        var pieces = new List<Document>();
        for (var start = 0; start < Length; start += maxLength)
        {
            var length = Math.Min(maxLength, Length - start);
            pieces.Add(new Document(Ids[start..(start + length)], Loss[start..(start + length)], []));
        }
        return pieces;
    }
}

/// <summary>An image of a document: its patch grid (what the token layout needs) and how to get its pixels.</summary>
public sealed record DocumentImage(int Rows, int Columns, Func<RgbImage> Load)
{
    /// <summary>An image already in memory.</summary>
    public static DocumentImage Of(RgbImage image, ImagePreprocessor preprocessor)
    {
        var (rows, columns) = preprocessor.PatchGrid(image.Height, image.Width);
        return new DocumentImage(rows, columns, () => image);
    }
}
