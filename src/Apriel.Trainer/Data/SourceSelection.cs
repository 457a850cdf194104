using Apriel.Api.V1Alpha1;

namespace Apriel.Trainer.Data;

/// <summary>
/// Which records of a source a run uses (a pure function of the records' strata and lengths, the source's options and the
/// seed), in this order:
/// 1. <c>subset</c>: in each stratum (the value of <c>stratifyBy</c>; one stratum without it), a seeded random
///    round(fraction × n) records, at least one;
/// 2. <c>minTokens</c> / <c>maxTokens</c> on the rendered length;
/// 3. <c>maxSamples</c>: the first N of a seeded random order.
/// The result is in record order.
/// </summary>
public static class SourceSelection
{
    public static int[] Select(IReadOnlyList<string?> strata, IReadOnlyList<int> lengths, DataSource source, long seed)
    {
        if (strata.Count != lengths.Count) throw new ArgumentException("one stratum and one length per record");
        IEnumerable<int> kept = Enumerable.Range(0, lengths.Count);
        if (source.Subset is { } subset)
        {
            kept = kept
                .GroupBy(i => subset.StratifyBy is null ? "" : strata[i] ?? "")
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .SelectMany(g =>
                {
                    var members = g.ToArray();
                    var keep = Math.Max(1, (int)Math.Round(subset.Fraction * members.Length, MidpointRounding.AwayFromZero));
                    var order = new Rng(seed, Rng.Key("subset"), Rng.Key(source.Name), Rng.Key(g.Key)).Permutation(members.Length);
                    return order.Take(keep).Select(k => members[k]);
                })
                .Order();
        }
        kept = kept.Where(i => lengths[i] >= (source.MinTokens ?? 0) && lengths[i] <= (source.MaxTokens ?? int.MaxValue));
        var list = kept.ToArray();
        if (source.MaxSamples is { } max && list.Length > max)
        {
            var order = new Rng(seed, Rng.Key("max-samples"), Rng.Key(source.Name)).Permutation(list.Length);
            list = order.Take((int)max).Select(k => list[k]).Order().ToArray();
        }
        return list;
    }
}
