using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Apriel.Api.Schema;

namespace Apriel.Api.V1Alpha1;

/// <summary>Optimizer settings. Weight decay is decoupled and never applied to norms and biases.</summary>
public sealed record OptimizerSpec
{
    /// <summary>The algorithm.</summary>
    [DefaultValue(OptimizerKind.AdamW)]
    public OptimizerKind Type { get; init; } = OptimizerKind.AdamW;

    /// <summary>Peak learning rate (after warmup).</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public required double LearningRate { get; init; }

    /// <summary>Adam β₁.</summary>
    [Range(0.0, 1.0, MaximumIsExclusive = true)]
    [DefaultValue(0.9)]
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Adam β₂.</summary>
    [Range(0.0, 1.0, MaximumIsExclusive = true)]
    [DefaultValue(0.95)]
    public double Beta2 { get; init; } = 0.95;

    /// <summary>Adam ε.</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    [DefaultValue(1e-8)]
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Decoupled weight decay coefficient.</summary>
    [Range(0.0, 10.0)]
    [DefaultValue(0.1)]
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Clip the global gradient norm to this value; 0 disables clipping.</summary>
    [Range(0.0, 1e6)]
    [DefaultValue(1.0)]
    public double GradientClipping { get; init; } = 1.0;
}

/// <summary>Learning-rate schedule: warmup, then constant, linear or cosine decay to a floor.</summary>
[CelRule("!(has(self.warmupSteps) && has(self.warmupRatio))", "set at most one of warmupSteps and warmupRatio")]
public sealed record ScheduleSpec
{
    /// <summary>Shape after warmup.</summary>
    [DefaultValue(ScheduleKind.Cosine)]
    public ScheduleKind Type { get; init; } = ScheduleKind.Cosine;

    /// <summary>Warmup length as a fraction of the total steps (the paper's "10% warmup" is 0.1).</summary>
    [Range(0.0, 1.0, MaximumIsExclusive = true)]
    public double? WarmupRatio { get; init; }

    /// <summary>Warmup length in optimizer steps.</summary>
    [Minimum(0)]
    public long? WarmupSteps { get; init; }

    /// <summary>The final learning rate as a fraction of the peak.</summary>
    [Range(0.0, 1.0)]
    [DefaultValue(0.0)]
    public double MinLearningRateRatio { get; init; }
}

/// <summary>How long to train: exactly one of steps, tokens or epochs.</summary>
[CelRule("[has(self.steps), has(self.tokens), has(self.epochs)].filter(x, x).size() == 1",
    "set exactly one of steps, tokens or epochs")]
public sealed record BudgetSpec
{
    /// <summary>Optimizer steps.</summary>
    [Minimum(1)]
    public long? Steps { get; init; }

    /// <summary>Training tokens (sequence positions, packed); the step count is derived from the batch size.</summary>
    [Minimum(1)]
    public long? Tokens { get; init; }

    /// <summary>Passes over the mixture's data.</summary>
    [Minimum(0, Exclusive = true)]
    public double? Epochs { get; init; }
}

/// <summary>Batch geometry. Gradient accumulation = globalBatchSize ÷ (microBatchSize × data-parallel ranks).</summary>
[CelRule("self.globalBatchSize % self.microBatchSize == 0", "globalBatchSize must be a multiple of microBatchSize")]
public sealed record BatchSpec
{
    /// <summary>Sequences per optimizer step, over all ranks.</summary>
    [Range(1, 1 << 24)]
    public required int GlobalBatchSize { get; init; }

    /// <summary>Sequences per forward/backward pass on one rank.</summary>
    [Range(1, 1 << 16)]
    [DefaultValue(1)]
    public int MicroBatchSize { get; init; } = 1;
}

/// <summary>
/// When checkpoints are written and which are kept. Checkpoints exist for resumption (every <c>interval</c>
/// steps) and for later averaging (<c>retain.equispaced</c>).
/// </summary>
public sealed record CheckpointSpec
{
    /// <summary>Write a resumable checkpoint every N optimizer steps (and on SIGTERM).</summary>
    [Minimum(1)]
    [DefaultValue(1000L)]
    public long Interval { get; init; } = 1000;

    /// <summary>Which checkpoints outlive the next one.</summary>
    public RetainSpec Retain { get; init; } = new();
}

/// <summary>
/// Checkpoints to keep; a checkpoint is kept when any rule keeps it. The rest are deleted once a newer one is
/// committed.
/// </summary>
public sealed record RetainSpec
{
    /// <summary>
    /// Also write and keep K checkpoints equispaced over the run, at steps ⌈i·total/K⌉ for i = 1..K, the set a
    /// later average needs (the paper averages 6 after upscaling and 3 after CPT stage 1).
    /// </summary>
    [Range(0, 1000)]
    [DefaultValue(0)]
    public int Equispaced { get; init; }

    /// <summary>Keep the last K interval checkpoints.</summary>
    [Range(0, 1000)]
    [DefaultValue(1)]
    public int Last { get; init; } = 1;

    /// <summary>Keep every checkpoint whose step is a multiple of N (0: none by this rule).</summary>
    [Minimum(0)]
    [DefaultValue(0L)]
    public long Every { get; init; }
}

/// <summary>
/// A held-out evaluation set: JSONL chat records (the <c>Chat</c> or <c>ImageText</c> layout of data sources) whose last
/// message is the assistant's, holding the expected final answer.
/// </summary>
public sealed record EvaluationSet
{
    /// <summary>A name for the set, unique within the stage; used in evaluation.json.</summary>
    [RegularExpression(Names.DnsLabelPattern)]
    [MaxLength(63)]
    public required string Name { get; init; }

    /// <summary>
    /// A JSONL file or a directory of JSONL files (<c>s3://…</c>, <c>file:///…</c> or relative to the artifact store's
    /// root); image paths in records are relative to their file.
    /// </summary>
    [RegularExpression(Names.ArtifactUriPattern)]
    public required string Uri { get; init; }

    /// <summary>Tokens generated per sample at most (reasoning included); an answer not reached by then counts as wrong.</summary>
    [Range(1, 4096)]
    [DefaultValue(32)]
    public int MaxNewTokens { get; init; } = 32;

    /// <summary>Score only the first this many records; omit to score all of them.</summary>
    [Range(1, 100_000)]
    public int? Limit { get; init; }
}
