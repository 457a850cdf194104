namespace Apriel.Trainer.Data;

/// <summary>
/// The mixture's documents one piece at a time: source and draw from <see cref="Mixture"/>, the document from its source,
/// cut into pieces that fit a row (<see cref="Document.Pieces"/>). Its <see cref="Position"/> can be saved and restored.
/// </summary>
public sealed class DocumentStream
{
    private readonly IReadOnlyList<IDocumentSource> sources;
    private readonly double[] weights;
    private readonly long[] draws;
    private int piece;
    private IReadOnlyList<Document>? pieces;
    private int source = -1;

    public DocumentStream(IReadOnlyList<IDocumentSource> sources, IReadOnlyList<double> weights, DataPosition? position = null)
    {
        if (sources.Count == 0 || sources.Count != weights.Count) throw new ArgumentException("one weight per source, at least one source");
        this.sources = sources;
        this.weights = [.. weights];
        position ??= DataPosition.Start(sources.Count);
        if (position.Draws.Count != sources.Count) throw new ArgumentException($"the data position has {position.Draws.Count} sources, the mixture {sources.Count}");
        draws = [.. position.Draws];
        piece = position.Piece;
    }

    public DataPosition Position => new(draws.ToArray(), piece);

    /// <summary>Documents skipped (too long to cut) so far in this process.</summary>
    public long Skipped { get; private set; }

    /// <summary>The current piece (not consumed).</summary>
    public Document Peek(int maxLength)
    {
        while (pieces is null)
        {
            source = Mixture.Choose(weights, draws);
            pieces = sources[source].Get(draws[source]).Pieces(maxLength);
            if (pieces.Count == 0)
            {
                Skipped++;
                draws[source]++;
                piece = 0;
                pieces = null;
            }
        }
        return pieces[piece];
    }

    /// <summary>Consumes the current piece.</summary>
    public void Advance()
    {
        if (pieces is null) throw new InvalidOperationException("Peek first");
        if (++piece < pieces.Count) return;
        draws[source]++;
        piece = 0;
        pieces = null;
    }
}
