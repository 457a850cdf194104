namespace Apriel.Trainer.Data;

/// <summary>One source of a mixture: a pool of items drawn in a seeded order, each draw a document.</summary>
public interface IDocumentSource
{
    string Name { get; }

    /// <summary>Items in the pool (records after selection, or raw images).</summary>
    int Count { get; }

    /// <summary>The document of draw <paramref name="draw"/> (0, 1, 2, …; past <see cref="Count"/> the next epoch begins).</summary>
    Document Get(long draw);
}
