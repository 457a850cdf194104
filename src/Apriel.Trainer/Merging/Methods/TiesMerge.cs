using static TorchSharp.torch;

namespace Apriel.Trainer.Merging.Methods;

/// <summary>
/// TIES-merging (Yadav et al., 2023, arXiv 2306.01708), per tensor: take each model's task vector τᵢ = mᵢ − base;
/// <b>trim</b> it to the <c>density</c> fraction of its entries with the largest magnitude (the rest become 0; entries
/// tied with the smallest kept magnitude are all kept); <b>elect</b> each entry's sign as the sign of Σ wᵢ·τᵢ over the
/// trimmed vectors; take the <b>disjoint mean</b>: the weighted mean of the trimmed entries that are non-zero and agree
/// with the elected sign (0 where none does); add λ times it to the base. With uniform weights this is the paper's
/// unweighted mean.
/// </summary>
public sealed class TiesMerge(IReadOnlyList<double> weights, double lambda, double density) : IMergeMethod
{
    /// <inheritdoc/>
    public bool Elementwise => false;

    /// <inheritdoc/>
    public Tensor Merge(IReadOnlyList<Tensor> models, Tensor? @base)
    {
        ArgumentNullException.ThrowIfNull(@base);
        var origin = @base.to(ScalarType.Float32);
        var trimmed = models.Select(m => Trim(m.sub(origin), density)).ToList();
        var elected = zeros_like(origin);
        for (var i = 0; i < trimmed.Count; i++) elected.add_(trimmed[i], weights[i]);
        elected = elected.sign();

        var sum = zeros_like(origin);
        var mass = zeros_like(origin);
        for (var i = 0; i < trimmed.Count; i++)
        {
            var agrees = trimmed[i].sign().eq(elected).logical_and_(trimmed[i].ne(0)).to(ScalarType.Float32);
            sum.add_(trimmed[i] * agrees, weights[i]);
            mass.add_(agrees, weights[i]);
        }
        // Where no model agrees, both are 0: divide by 1 instead to give 0, not NaN.
        var mean = sum.div_(where(mass.eq(0), ones_like(mass), mass));
        return origin + mean.mul_(lambda);
    }

    /// <summary>τ with all but its round(density·n) largest-magnitude entries (at least one) set to 0.</summary>
    public static Tensor Trim(Tensor tau, double density)
    {
        var n = tau.NumberOfElements;
        if (n == 0) return tau;
        var keep = Math.Clamp((long)Math.Round(density * n), 1, n);
        var magnitude = tau.abs();
        // The keep-th largest magnitude is the (n − keep + 1)-th smallest.
        var (threshold, _) = magnitude.flatten().kthvalue(n - keep + 1, 0, false);
        return tau * magnitude.ge(threshold).to(ScalarType.Float32);
    }
}
