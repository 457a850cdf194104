namespace Apriel.Trainer.Data;

/// <summary>
/// The order in which a source's items are drawn: epoch after epoch, each a seeded random permutation of the items, so that
/// draw d is item <c>perm[d / n][d % n]</c> — a pure function of (seed, source, d), which is what makes resumption exact.
/// </summary>
public sealed class DrawOrder(int count, long seed, long sourceKey)
{
    private long epoch = -1;
    private int[] permutation = [];

    public int Count => count;

    /// <summary>The item of draw <paramref name="draw"/>.</summary>
    public int At(long draw)
    {
        if (count == 0) throw new InvalidOperationException("the source has no items to draw");
        var e = draw / count;
        if (e != epoch)
        {
            permutation = new Rng(seed, sourceKey, Rng.Key("epoch"), e).Permutation(count);
            epoch = e;
        }
        return permutation[(int)(draw % count)];
    }
}
