using System.Text.Json.Serialization;

namespace Apriel.Api.V1Alpha1;

/// <summary>A trainable part of the vision-language model.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Component>))]
public enum Component
{
    /// <summary>The Pixtral vision encoder (patch convolution and vision transformer).</summary>
    VisionEncoder,

    /// <summary>The two-layer multimodal projector between vision encoder and decoder.</summary>
    Projector,

    /// <summary>The language decoder: embeddings, transformer layers, final norm and LM head.</summary>
    Decoder,
}

/// <summary>How a data source's records are laid out.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DataFormat>))]
public enum DataFormat
{
    /// <summary>JSONL with a <c>text</c> field: plain documents for language modelling.</summary>
    Text,

    /// <summary>JSONL with <c>messages</c> (role, content, optional reasoning), rendered with the Apriel chat template.</summary>
    Chat,

    /// <summary>JSONL with <c>images</c> (relative paths or URIs) and <c>text</c> or <c>messages</c>.</summary>
    ImageText,

    /// <summary>Instruction–response tasks generated on the fly from a directory of raw images (CPT stage 2).</summary>
    SyntheticVisual,
}

/// <summary>Which tokens the loss is computed on.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LossTokens>))]
public enum LossTokens
{
    /// <summary>Every text token (image placeholder tokens never carry loss).</summary>
    All,

    /// <summary>Only the assistant's response tokens of instruction–response and chat samples; plain text keeps all.</summary>
    Responses,
}

/// <summary>Synthetic visual task families of CPT stage 2.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SyntheticTask>))]
public enum SyntheticTask
{
    /// <summary>Describe the content of a masked region of the image.</summary>
    Reconstruction,

    /// <summary>Pick which candidate crop matches an (augmented) anchor crop.</summary>
    Matching,

    /// <summary>Say whether an object is present and where (normalised box).</summary>
    Detection,

    /// <summary>Count objects, in total or per category.</summary>
    Counting,
}

/// <summary>Learning-rate schedule shape.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ScheduleKind>))]
public enum ScheduleKind
{
    /// <summary>Constant after warmup.</summary>
    Constant,

    /// <summary>Linear decay from the peak to the minimum after warmup.</summary>
    Linear,

    /// <summary>Cosine decay from the peak to the minimum after warmup.</summary>
    Cosine,
}

/// <summary>Optimizer algorithm.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OptimizerKind>))]
public enum OptimizerKind
{
    /// <summary>Adam with decoupled weight decay (no decay on norms and biases).</summary>
    AdamW,
}

/// <summary>Floating-point type of weights.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DType>))]
public enum DType
{
    /// <summary>bfloat16.</summary>
    BF16,

    /// <summary>IEEE half precision.</summary>
    FP16,

    /// <summary>IEEE single precision.</summary>
    FP32,
}

/// <summary>What happens to a resource's artifacts in the store when the resource is deleted.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RetentionPolicy>))]
public enum RetentionPolicy
{
    /// <summary>Keep checkpoints and models; deleting the resource only removes its Kubernetes objects.</summary>
    Retain,

    /// <summary>Delete every artifact of every run of the resource (a finalizer does the deleting).</summary>
    Delete,
}

/// <summary>Weight-space merge algorithm.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MergeMethod>))]
public enum MergeMethod
{
    /// <summary>Weighted average of the inputs (uniform by default): checkpoint averaging.</summary>
    Linear,

    /// <summary>Stacks layer slices of the inputs verbatim; how depth upscaling's 40 → 48 layers are made.</summary>
    Passthrough,

    /// <summary>Spherical linear interpolation between exactly two inputs.</summary>
    Slerp,

    /// <summary>base + λ·Σ wᵢ(mᵢ − base) (Ilharco et al., 2023).</summary>
    TaskArithmetic,

    /// <summary>TIES-merging: trim to density, elect sign, disjoint mean (Yadav et al., 2023).</summary>
    Ties,
}

/// <summary>Which checkpoints of a stage a merge input takes.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CheckpointSelection>))]
public enum CheckpointSelection
{
    /// <summary>The stage's final model.</summary>
    Final,

    /// <summary><c>count</c> checkpoints equispaced over the run (the stage must retain them).</summary>
    Equispaced,

    /// <summary>The last <c>count</c> retained checkpoints.</summary>
    Last,

    /// <summary>Every retained checkpoint.</summary>
    All,
}
