namespace Apriel.Trainer.Data;

/// <summary>
/// Packs a stream of documents into rows of the sequence length, in order: a document goes into the current row when it
/// fits, else the row is padded and it starts the next one (documents are never split across rows, so each keeps its
/// positions and attention to itself). A document longer than a row is cut into row-sized pieces, each its own document,
/// unless it has images (then it is skipped: an image is never cut). Without packing each piece gets its own row.
/// </summary>
public sealed class Packer
{
    private readonly DocumentStream stream;
    private readonly int sequenceLength;
    private readonly bool packing;
    private readonly int padId;

    public Packer(DocumentStream stream, int sequenceLength, bool packing, int padId)
    {
        if (sequenceLength < 2) throw new ArgumentOutOfRangeException(nameof(sequenceLength), "must be at least 2");
        (this.stream, this.sequenceLength, this.packing, this.padId) = (stream, sequenceLength, packing, padId);
    }

    public int SequenceLength => sequenceLength;

    /// <summary>Documents skipped because they have images and do not fit in a row.</summary>
    public long Skipped => stream.Skipped;

    /// <summary>The next row.</summary>
    public PackedRow Next()
    {
        var ids = new List<int>(sequenceLength);
        var loss = new List<bool>(sequenceLength);
        var documents = new List<int>(sequenceLength);
        var images = new List<DocumentImage>();
        var document = 0;
        while (true)
        {
            var piece = stream.Peek(sequenceLength);
            if (ids.Count > 0 && (!packing || ids.Count + piece.Length > sequenceLength)) break;
            ids.AddRange(piece.Ids);
            loss.AddRange(piece.Loss);
            documents.AddRange(Enumerable.Repeat(document++, piece.Length));
            images.AddRange(piece.Images);
            stream.Advance();
            if (ids.Count == sequenceLength) break;
        }
        var padding = sequenceLength - ids.Count;
        ids.AddRange(Enumerable.Repeat(padId, padding));
        loss.AddRange(Enumerable.Repeat(false, padding));
        documents.AddRange(Enumerable.Repeat(document, padding));
        return new PackedRow([.. ids], [.. loss], [.. documents], images);
    }
}
