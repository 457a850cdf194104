namespace Apriel.Trainer.Merging;

/// <summary>The weights a merge applies to its inputs, from the ones the task gives.</summary>
public static class MergeWeights
{
    /// <summary>
    /// No input sets a weight: each gets 1/K (a uniform average). Every input sets one: the given weights, divided by
    /// their sum when <paramref name="normalize"/>. Some but not all: refused (the API refuses it too).
    /// </summary>
    public static IReadOnlyList<double> Resolve(IReadOnlyList<double?> weights, bool normalize)
    {
        if (weights.Count == 0) throw new ArgumentException("a merge needs at least one input", nameof(weights));
        if (weights.All(w => w is null)) return [.. weights.Select(_ => 1.0 / weights.Count)];
        if (weights.Any(w => w is null))
            throw new MergeInputException($"{weights.Count(w => w is not null)} of {weights.Count} inputs set a weight: set weight on every input or on none (uniform)");
        var given = weights.Select(w => w!.Value).ToList();
        if (given.Any(w => w < 0 || !double.IsFinite(w))) throw new MergeInputException($"weights [{string.Join(", ", given)}] must be finite and >= 0");
        if (!normalize) return given;
        var sum = given.Sum();
        if (sum <= 0) throw new MergeInputException("weights sum to 0 and cannot be normalised: give at least one input a positive weight");
        return [.. given.Select(w => w / sum)];
    }
}
