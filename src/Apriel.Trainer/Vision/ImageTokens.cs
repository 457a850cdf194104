namespace Apriel.Trainer.Vision;

/// <summary>
/// How an image appears in the token sequence (apriel-recipe.md §B.4): for a grid of R rows x C columns of patches,
/// each row is C <c>[IMG]</c> tokens followed by <c>[IMG_BREAK]</c>, and the very last <c>[IMG_BREAK]</c> is
/// <c>[IMG_END]</c>. Only the <c>[IMG]</c> positions receive vision features, row-major.
/// </summary>
public sealed record ImageTokens(int ImageId, int BreakId, int EndId)
{
    /// <summary>Pixtral-12B's ids: [IMG] 10, [IMG_BREAK] 12, [IMG_END] 13.</summary>
    public static ImageTokens Pixtral { get; } = new(10, 12, 13);

    /// <summary>Tokens an image of <paramref name="rows"/> x <paramref name="columns"/> patches takes: (C + 1) x R.</summary>
    public static int Count(int rows, int columns)
    {
        if (rows <= 0 || columns <= 0) throw new ArgumentOutOfRangeException(nameof(rows), $"a patch grid must be at least 1 x 1 (is {rows} x {columns})");
        return (columns + 1) * rows;
    }

    /// <summary>The token ids for one image.</summary>
    public int[] Layout(int rows, int columns)
    {
        var ids = new int[Count(rows, columns)];
        var i = 0;
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++) ids[i++] = ImageId;
            ids[i++] = r == rows - 1 ? EndId : BreakId;
        }
        return ids;
    }
}
