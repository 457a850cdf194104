using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Apriel.Api.Schema;
using k8s;
using k8s.Models;

namespace Apriel.Api.V1Alpha1;

/// <summary>
/// A weight-space operation on finished models: checkpoint averaging, passthrough layer stacking (depth
/// upscaling), SLERP, task arithmetic or TIES. Runs as a CPU pod and produces a model.
/// </summary>
[CustomResource("ModelMerge", "modelmerges", "mm", "merge", Categories = ["apriel"])]
[CelRule("size(self.metadata.name) <= 40", "metadata.name must be at most 40 characters, so that Job and pod names derived from it stay valid")]
[PrinterColumn("Phase", "string", ".status.phase", "Where the merge is in its life")]
[PrinterColumn("Method", "string", ".spec.method", "Merge method")]
[PrinterColumn("Progress", "integer", ".status.progress.percent", "Percent of tensors written")]
[PrinterColumn("Source", "string", ".status.source", "The inputs, in short form")]
[PrinterColumn("Run", "string", ".status.runId", "Identity of the current run", Priority = 1)]
[PrinterColumn("Age", "date", ".metadata.creationTimestamp", "Time since creation")]
public sealed class ModelMerge : IKubernetesObject<V1ObjectMeta>, ISpec<ModelMergeSpec>, IStatus<RunStatus?>
{
    /// <summary>Kind as written in manifests.</summary>
    public const string KindName = "ModelMerge";

    /// <summary>APIVersion defines the versioned schema of this representation of an object.</summary>
    public string ApiVersion { get; set; } = ApiGroup.ApiVersion;

    /// <summary>Kind is a string value representing the REST resource this object represents.</summary>
    public string Kind { get; set; } = KindName;

    /// <summary>Standard object metadata.</summary>
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>Desired state.</summary>
    public required ModelMergeSpec Spec { get; set; }

    /// <summary>Observed state, written by the operator.</summary>
    public RunStatus? Status { get; set; }
}

/// <summary>Desired state of a ModelMerge.</summary>
[CelRule("self.method in ['TaskArithmetic', 'Ties'] ? has(self.base) : true", "TaskArithmetic and Ties need a base model")]
[CelRule("self.method == 'Slerp' ? size(self.inputs) == 2 : true", "Slerp merges exactly two inputs")]
[CelRule("self.method == 'Passthrough' ? self.inputs.all(i, has(i.layers)) : self.inputs.all(i, !has(i.layers))",
    "layers are set on every input of a Passthrough merge and on no other")]
public sealed record ModelMergeSpec
{
    /// <summary>The merge algorithm.</summary>
    public required MergeMethod Method { get; init; }

    /// <summary>Models to merge, in order (for Passthrough, the order of the layer slices).</summary>
    [MinLength(1)]
    public required List<MergeInput> Inputs { get; init; }

    /// <summary>Base model that task vectors are taken against (TaskArithmetic, Ties).</summary>
    public ModelSource? Base { get; init; }

    /// <summary>Method parameters.</summary>
    public MergeParameters Parameters { get; init; } = new();

    /// <summary>Type of the written weights (arithmetic is done in fp32).</summary>
    [DefaultValue(DType.BF16)]
    [JsonPropertyName("dtype")]
    public DType DType { get; init; } = DType.BF16;

    /// <summary>Compute and placement of the merge pod.</summary>
    public PodResources Resources { get; init; } = new();

    /// <summary>Trainer image that runs the merge; empty takes the operator's default.</summary>
    [MaxLength(1024)]
    public string? Image { get; init; }

    /// <summary>Pod failures tolerated before the merge fails.</summary>
    [Range(0, 100)]
    [DefaultValue(2)]
    public int RetryLimit { get; init; } = 2;

    /// <summary>Kueue LocalQueue to admit the merge Job through.</summary>
    [RegularExpression(Names.QualifiedNamePattern)]
    [MaxLength(63)]
    public string? QueueName { get; init; }

    /// <summary>What happens to the merge's artifacts when it is deleted.</summary>
    [DefaultValue(RetentionPolicy.Retain)]
    public RetentionPolicy RetentionPolicy { get; init; } = RetentionPolicy.Retain;
}

/// <summary>One input of a merge: a model (or a stage's checkpoints), its weight and, for Passthrough, its layer slice.</summary>
public sealed record MergeInput : ModelSource
{
    /// <summary>Which of a stage's checkpoints to take; each selected checkpoint is one input of the merge.</summary>
    public CheckpointSelector? Checkpoints { get; init; }

    /// <summary>Relative weight (Linear, TaskArithmetic, Ties); uniform when no input sets one.</summary>
    [Minimum(0)]
    public double? Weight { get; init; }

    /// <summary>Decoder layers [start, end) this input contributes (Passthrough only).</summary>
    public LayerRange? Layers { get; init; }
}

/// <summary>Selects checkpoints of a TrainingStage.</summary>
[CelRule("self.select in ['Equispaced', 'Last'] ? has(self.count) : !has(self.count)",
    "count is set exactly when select is Equispaced or Last")]
public sealed record CheckpointSelector
{
    /// <summary>Final model, K equispaced checkpoints, the last K, or all retained ones.</summary>
    [DefaultValue(CheckpointSelection.Final)]
    public CheckpointSelection Select { get; init; } = CheckpointSelection.Final;

    /// <summary>K, for Equispaced and Last.</summary>
    [Range(1, 1000)]
    public int? Count { get; init; }
}

/// <summary>A half-open range of decoder layers.</summary>
[CelRule("self.start < self.end", "start must be less than end")]
public sealed record LayerRange
{
    /// <summary>First layer, inclusive.</summary>
    [Minimum(0)]
    public required int Start { get; init; }

    /// <summary>Last layer, exclusive.</summary>
    [Minimum(1)]
    public required int End { get; init; }
}

/// <summary>Parameters of the merge methods; each method reads the ones it needs.</summary>
public sealed record MergeParameters
{
    /// <summary>Divide weights by their sum (Linear, TaskArithmetic, Ties).</summary>
    [DefaultValue(true)]
    public bool Normalize { get; init; } = true;

    /// <summary>Interpolation factor for Slerp: 0 gives the first input, 1 the second.</summary>
    [Range(0.0, 1.0)]
    [DefaultValue(0.5)]
    public double T { get; init; } = 0.5;

    /// <summary>Scale λ of the summed task vectors (TaskArithmetic, Ties).</summary>
    [Range(0.0, 100.0)]
    [DefaultValue(1.0)]
    public double Lambda { get; init; } = 1.0;

    /// <summary>Fraction of each task vector's largest-magnitude entries that Ties keeps.</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    [DefaultValue(0.5)]
    public double Density { get; init; } = 0.5;
}
