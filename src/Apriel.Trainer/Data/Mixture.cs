namespace Apriel.Trainer.Data;

/// <summary>
/// Which source the next document comes from: the one furthest behind its share, i.e. the largest
/// <c>p_i · (n + 1) − c_i</c> (p the normalised weights, c the draws so far, n their sum; ties to the first source). A pure
/// function of the draw counts, so the mixture holds its proportions at every point of a run — each source's count stays
/// within one draw of p_i · n — and resuming needs only the counts. (Randomness comes from each source's seeded order.)
/// </summary>
public static class Mixture
{
    public static int Choose(IReadOnlyList<double> weights, IReadOnlyList<long> draws)
    {
        if (weights.Count == 0 || weights.Count != draws.Count) throw new ArgumentException("one weight and one count per source");
        var total = weights.Sum();
        var n = draws.Sum();
        var best = 0;
        var bestDeficit = double.NegativeInfinity;
        for (var i = 0; i < weights.Count; i++)
        {
            var deficit = weights[i] / total * (n + 1) - draws[i];
            if (deficit > bestDeficit + 1e-12)
            {
                best = i;
                bestDeficit = deficit;
            }
        }
        return best;
    }
}
