using System.Text.Json;
using Apriel.Api.V1Alpha1;

namespace Apriel.Api.Runs;

/// <summary>
/// The <c>MANIFEST.json</c> of a committed artifact directory (a checkpoint or a model): what files it holds, with
/// sizes and sha256, and where it came from. It is written last, so its presence commits the directory; the sha256
/// of its bytes is the directory's digest (<see cref="ArtifactRef.Digest"/>). Holds no credentials.
/// </summary>
public sealed record ArtifactManifest
{
    /// <summary>The format version this code writes.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Format version; readers refuse versions they do not know.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>Every file of the directory except <c>MANIFEST.json</c> itself, sorted by path (ordinal).</summary>
    public required IReadOnlyList<ArtifactFile> Files { get; init; }

    /// <summary>What produced the directory.</summary>
    public required ArtifactLineage Lineage { get; init; }

    /// <summary>Free-form configuration of the producer (e.g. the model config or the stage spec); null when none.</summary>
    public JsonElement? Config { get; init; }

    /// <summary>When the directory was committed (UTC).</summary>
    public required DateTimeOffset Created { get; init; }
}

/// <summary>One file of a committed directory.</summary>
public sealed record ArtifactFile
{
    /// <summary>Path relative to the directory, '/'-separated, e.g. <c>model.safetensors</c> or <c>tokenizer/vocab.json</c>.</summary>
    public required string Path { get; init; }

    /// <summary>Size in bytes.</summary>
    public required long Size { get; init; }

    /// <summary>sha256 of the content, 64 lowercase hex characters.</summary>
    public required string Sha256 { get; init; }
}

/// <summary>Where a committed directory came from.</summary>
public sealed record ArtifactLineage
{
    /// <summary>Kind of the producing resource: <c>TrainingStage</c> or <c>ModelMerge</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>Namespace of the producing resource.</summary>
    public required string Namespace { get; init; }

    /// <summary>Name of the producing resource.</summary>
    public required string Name { get; init; }

    /// <summary>The run that produced it (<see cref="RunIdentity"/>).</summary>
    public required string RunId { get; init; }

    /// <summary>Optimizer steps taken when it was written; null for a merge.</summary>
    public long? Step { get; init; }

    /// <summary>Training tokens seen when it was written; null for a merge.</summary>
    public long? TokensSeen { get; init; }

    /// <summary>The inputs of the run, each pinned to the digest that was read.</summary>
    public IReadOnlyList<ResolvedInput> Inputs { get; init; } = [];

    /// <summary>How a ModelMerge combined its inputs; null for a TrainingStage.</summary>
    public MergeLineage? Merge { get; init; }
}

/// <summary>How a ModelMerge combined its inputs (the inputs themselves are <see cref="ArtifactLineage.Inputs"/>).</summary>
public sealed record MergeLineage
{
    /// <summary>The merge algorithm.</summary>
    public required MergeMethod Method { get; init; }

    /// <summary>The method parameters, as the spec gave them.</summary>
    public required MergeParameters Parameters { get; init; }

    /// <summary>Type of the written weights.</summary>
    public required DType DType { get; init; }

    /// <summary>
    /// The weight each input got, in input order, after defaulting and normalising (Linear, TaskArithmetic, Ties);
    /// null for the methods that take none.
    /// </summary>
    public IReadOnlyList<double>? Weights { get; init; }

    /// <summary>The decoder layers each input contributed, in input order (Passthrough); null for other methods.</summary>
    public IReadOnlyList<LayerRange>? Layers { get; init; }
}
