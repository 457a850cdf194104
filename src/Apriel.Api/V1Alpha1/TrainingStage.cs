using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Apriel.Api.Schema;
using k8s;
using k8s.Models;

namespace Apriel.Api.V1Alpha1;

/// <summary>
/// One training run: starts from a model, trains the chosen components on a data mixture with a sequence
/// length, loss masking, optimizer, schedule, budget and checkpoint policy, and produces checkpoints and a
/// final model in the artifact store.
/// </summary>
[CustomResource("TrainingStage", "trainingstages", "ts", "stage", Categories = ["apriel"])]
[CelRule("size(self.metadata.name) <= 40", "metadata.name must be at most 40 characters, so that Job and pod names derived from it stay valid")]
[PrinterColumn("Phase", "string", ".status.phase", "Where the stage is in its life")]
[PrinterColumn("Progress", "integer", ".status.progress.percent", "Percent of the step budget done")]
[PrinterColumn("Source", "string", ".status.source", "The model the stage starts from")]
[PrinterColumn("Loss", "number", ".status.progress.loss", "Recent training loss", Priority = 1)]
[PrinterColumn("Run", "string", ".status.runId", "Identity of the current run", Priority = 1)]
[PrinterColumn("Age", "date", ".metadata.creationTimestamp", "Time since creation")]
public sealed class TrainingStage : IKubernetesObject<V1ObjectMeta>, ISpec<TrainingStageSpec>, IStatus<TrainingStageStatus?>
{
    /// <summary>Kind as written in manifests.</summary>
    public const string KindName = "TrainingStage";

    /// <summary>APIVersion defines the versioned schema of this representation of an object.</summary>
    public string ApiVersion { get; set; } = V1Alpha1.ApiGroup.ApiVersion;

    /// <summary>Kind is a string value representing the REST resource this object represents.</summary>
    public string Kind { get; set; } = KindName;

    /// <summary>Standard object metadata.</summary>
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>Desired state.</summary>
    public required TrainingStageSpec Spec { get; set; }

    /// <summary>Observed state, written by the operator.</summary>
    public TrainingStageStatus? Status { get; set; }
}

/// <summary>Desired state of a TrainingStage.</summary>
public sealed record TrainingStageSpec
{
    /// <summary>The model training starts from.</summary>
    public required ModelSource Model { get; init; }

    /// <summary>Components whose weights train; the others stay frozen, bit for bit.</summary>
    [MinLength(1)]
    public required List<Component> Train { get; init; }

    /// <summary>Data mixture, sequence length, packing and loss masking.</summary>
    public required DataSpec Data { get; init; }

    /// <summary>Optimizer and its hyperparameters.</summary>
    public required OptimizerSpec Optimizer { get; init; }

    /// <summary>Learning-rate schedule.</summary>
    public ScheduleSpec Schedule { get; init; } = new();

    /// <summary>How long to train.</summary>
    public required BudgetSpec Budget { get; init; }

    /// <summary>Batch geometry.</summary>
    public required BatchSpec Batch { get; init; }

    /// <summary>Type of the trained weights: BF16 (with fp32 master weights and optimizer state) or FP32; FP16 is refused.</summary>
    [DefaultValue(DType.BF16)]
    public DType Precision { get; init; } = DType.BF16;

    /// <summary>
    /// Keep only each decoder layer's input during the forward pass and recompute the layer in the backward pass:
    /// activation memory then grows with the layer count instead of with every intermediate (what long sequences need),
    /// for about a third more compute. The gradients are the same, so it does not change the run.
    /// </summary>
    public bool ActivationCheckpointing { get; init; }

    /// <summary>Checkpoint cadence and retention.</summary>
    public CheckpointSpec Checkpoints { get; init; } = new();

    /// <summary>
    /// Held-out sets the model is scored on before the first step and after the last (greedy generation, exact match of
    /// the final answer), written to the run's <c>evaluation.json</c>. Changing them does not change the run.
    /// </summary>
    [MaxLength(16)]
    public List<EvaluationSet>? Evaluation { get; init; }

    /// <summary>Compute and placement of the trainer pods.</summary>
    public TrainingResources Resources { get; init; } = new();

    /// <summary>Trainer image; empty takes the operator's default.</summary>
    [MaxLength(1024)]
    public string? Image { get; init; }

    /// <summary>Pod failures tolerated before the stage fails; each retry resumes from the last committed checkpoint.</summary>
    [Range(0, 100)]
    [DefaultValue(3)]
    public int RetryLimit { get; init; } = 3;

    /// <summary>Pause the stage: the trainer writes a checkpoint and its Job is removed; false resumes it.</summary>
    [DefaultValue(false)]
    public bool Suspend { get; init; }

    /// <summary>Kueue LocalQueue to admit the trainer Job through (sets <c>kueue.x-k8s.io/queue-name</c>).</summary>
    [RegularExpression(Names.QualifiedNamePattern)]
    [MaxLength(63)]
    public string? QueueName { get; init; }

    /// <summary>Seed of data order, sampling and initialisation; the same seed and inputs give the same weights.</summary>
    [Minimum(0)]
    [DefaultValue(0L)]
    public long Seed { get; init; }

    /// <summary>What happens to the stage's artifacts when it is deleted.</summary>
    [DefaultValue(RetentionPolicy.Retain)]
    public RetentionPolicy RetentionPolicy { get; init; } = RetentionPolicy.Retain;
}
