using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Apriel.Api.Schema;

namespace Apriel.Api.V1Alpha1;

/// <summary>Compute and placement of a pod. Merges use it as is (they run on CPU).</summary>
public record PodResources
{
    /// <summary>CPU request and limit per pod, e.g. <c>32</c> or <c>500m</c>.</summary>
    [Quantity]
    [JsonConverter(typeof(QuantityJsonConverter))]
    public string? Cpu { get; init; }

    /// <summary>Memory request and limit per pod, e.g. <c>512Gi</c>.</summary>
    [Quantity]
    [JsonConverter(typeof(QuantityJsonConverter))]
    public string? Memory { get; init; }

    /// <summary>Pods only run on nodes with these labels.</summary>
    public Dictionary<string, string>? NodeSelector { get; init; }

    /// <summary>Taints the pods tolerate (GPU nodes are often tainted).</summary>
    public List<Toleration>? Tolerations { get; init; }

    /// <summary>PriorityClass of the pods, for preemption.</summary>
    [RegularExpression(Names.QualifiedNamePattern)]
    [MaxLength(253)]
    public string? PriorityClassName { get; init; }
}

/// <summary>Compute for a stage's trainer pods. One pod per node; each pod gets all of its node's GPUs.</summary>
public sealed record TrainingResources : PodResources
{
    /// <summary>
    /// GPUs per pod (per node). 0 runs on CPU. The trainer computes on one GPU (TorchSharp has no distributed backend
    /// yet): more are reserved but idle, and the operator warns (event IdleResources).
    /// </summary>
    [Range(0, 64)]
    [DefaultValue(1)]
    public int GpusPerNode { get; init; } = 1;

    /// <summary>Nodes (pods) the stage spans; more than one runs an Indexed Job, whose first pod trains while the others exit.</summary>
    [Range(1, 4096)]
    [DefaultValue(1)]
    public int Nodes { get; init; } = 1;

    /// <summary>Extended resource name of a GPU; empty takes the operator's default (usually <c>nvidia.com/gpu</c>).</summary>
    [RegularExpression("^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    public string? GpuResourceName { get; init; }
}

/// <summary>A toleration, as in a pod spec.</summary>
public sealed record Toleration
{
    /// <summary>Taint key; empty with operator Exists matches every taint.</summary>
    public string? Key { get; init; }

    /// <summary><c>Equal</c> (default) or <c>Exists</c>.</summary>
    [RegularExpression("^(Equal|Exists)$")]
    public string? Operator { get; init; }

    /// <summary>Taint value to match with <c>Equal</c>.</summary>
    public string? Value { get; init; }

    /// <summary><c>NoSchedule</c>, <c>PreferNoSchedule</c> or <c>NoExecute</c>; empty matches all.</summary>
    [RegularExpression("^(NoSchedule|PreferNoSchedule|NoExecute)$")]
    public string? Effect { get; init; }

    /// <summary>How long a NoExecute toleration holds after the taint appears.</summary>
    public long? TolerationSeconds { get; init; }
}
