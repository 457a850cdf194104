using Apriel.Api.V1Alpha1;

namespace Apriel.Api.Runs;

/// <summary>
/// The resolved form of a TrainingStage that the trainer runs (<c>apriel-trainer train --task FILE</c>): the
/// spec with every URI absolute, the model input pinned to a digest, the run id and the output location. The
/// operator and the local runner write it; the trainer needs nothing else, and no Kubernetes access.
/// </summary>
public sealed record TrainingTask
{
    /// <summary>Kind as written in task files.</summary>
    public const string KindName = "TrainingTask";

    /// <summary>Always <c>apriel.dev/v1alpha1</c>.</summary>
    public string ApiVersion { get; init; } = ApiGroup.ApiVersion;

    /// <summary>Always <c>TrainingTask</c>.</summary>
    public string Kind { get; init; } = KindName;

    /// <summary>Namespace of the stage.</summary>
    public required string Namespace { get; init; }

    /// <summary>Name of the stage.</summary>
    public required string Name { get; init; }

    /// <summary>The run's identity (<see cref="RunIdentity"/>).</summary>
    public required string RunId { get; init; }

    /// <summary>The stage's spec, with data source URIs made absolute.</summary>
    public required TrainingStageSpec Spec { get; init; }

    /// <summary>The model to start from; null when the spec initialises a built-in configuration.</summary>
    public ResolvedInput? Model { get; init; }

    /// <summary>Absolute URI of the run directory (<see cref="ArtifactLayout.Run"/>).</summary>
    public required string Output { get; init; }
}

/// <summary>The resolved form of a ModelMerge that <c>apriel-trainer merge --task FILE</c> runs.</summary>
public sealed record MergeTask
{
    /// <summary>Kind as written in task files.</summary>
    public const string KindName = "MergeTask";

    /// <summary>Always <c>apriel.dev/v1alpha1</c>.</summary>
    public string ApiVersion { get; init; } = ApiGroup.ApiVersion;

    /// <summary>Always <c>MergeTask</c>.</summary>
    public string Kind { get; init; } = KindName;

    /// <summary>Namespace of the merge.</summary>
    public required string Namespace { get; init; }

    /// <summary>Name of the merge.</summary>
    public required string Name { get; init; }

    /// <summary>The run's identity.</summary>
    public required string RunId { get; init; }

    /// <summary>Method, parameters and output dtype, as in the spec.</summary>
    public required ModelMergeSpec Spec { get; init; }

    /// <summary>
    /// One entry per model merged, in order: a spec input that selects several checkpoints expands to several
    /// entries, each carrying that input's weight and layer slice.
    /// </summary>
    public required List<MergeTaskInput> Inputs { get; init; }

    /// <summary>The base model, for TaskArithmetic and Ties.</summary>
    public ResolvedInput? Base { get; init; }

    /// <summary>Absolute URI of the run directory; the merged model goes to its <c>model/</c>.</summary>
    public required string Output { get; init; }
}

/// <summary>One model of a merge.</summary>
public sealed record MergeTaskInput
{
    /// <summary>The committed model or checkpoint.</summary>
    public required ResolvedInput Model { get; init; }

    /// <summary>Relative weight; null when the spec gives none (uniform).</summary>
    public double? Weight { get; init; }

    /// <summary>Decoder layers this model contributes (Passthrough).</summary>
    public LayerRange? Layers { get; init; }
}
