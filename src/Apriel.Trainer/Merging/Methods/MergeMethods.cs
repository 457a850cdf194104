using Apriel.Api.V1Alpha1;

namespace Apriel.Trainer.Merging.Methods;

/// <summary>The method of a merge spec, with its parameters and the resolved weights.</summary>
public static class MergeMethods
{
    /// <summary>The <see cref="IMergeMethod"/> for <paramref name="spec"/>; <paramref name="weights"/> from <see cref="MergeWeights.Resolve"/>.</summary>
    public static IMergeMethod Create(ModelMergeSpec spec, IReadOnlyList<double> weights) => spec.Method switch
    {
        MergeMethod.Linear => new LinearMerge(weights),
        MergeMethod.Passthrough => new PassthroughMerge(),
        MergeMethod.Slerp => new SlerpMerge(spec.Parameters.T),
        MergeMethod.TaskArithmetic => new TaskArithmeticMerge(weights, spec.Parameters.Lambda),
        MergeMethod.Ties => new TiesMerge(weights, spec.Parameters.Lambda, spec.Parameters.Density),
        _ => throw new NotSupportedException($"merge method {spec.Method} is not implemented"),
    };

    /// <summary>Whether the method takes weights (the others ignore them and record none in the lineage).</summary>
    public static bool TakesWeights(MergeMethod method) => method is MergeMethod.Linear or MergeMethod.TaskArithmetic or MergeMethod.Ties;
}
