using System.Text.Json.Serialization;

namespace Apriel.Api.V1Alpha1;

/// <summary>Where a resource is in its life, for <c>kubectl get</c>; conditions carry the detail.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Phase>))]
public enum Phase
{
    /// <summary>Accepted, nothing started yet.</summary>
    Pending,

    /// <summary>Waiting for the resources it references to succeed.</summary>
    Waiting,

    /// <summary>A Job is running (or queued by Kueue) for the current run.</summary>
    Running,

    /// <summary>The output is committed.</summary>
    Succeeded,

    /// <summary>The spec is invalid or the retry limit was reached; the conditions say why.</summary>
    Failed,

    /// <summary>Suspended by <c>spec.suspend</c> after a checkpoint.</summary>
    Suspended,
}

/// <summary>Observed state of a run, common to stages and merges (Kubernetes API conventions).</summary>
public class RunStatus
{
    /// <summary>The <c>metadata.generation</c> this status describes.</summary>
    public long? ObservedGeneration { get; set; }

    /// <summary>Summary of the conditions.</summary>
    public Phase? Phase { get; set; }

    /// <summary>Standard conditions: Ready, DependenciesReady, Running, Succeeded, Failed.</summary>
    public List<Condition>? Conditions { get; set; }

    /// <summary>Where the model comes from, in short form (<c>stage/NAME</c>, <c>merge/NAME</c> or a URI).</summary>
    public string? Source { get; set; }

    /// <summary>Identity of the current run: a hash of the spec and the digests of its inputs.</summary>
    public string? RunId { get; set; }

    /// <summary>The resolved inputs of the current run.</summary>
    public List<ResolvedInput>? Inputs { get; set; }

    /// <summary>The committed output of the current run.</summary>
    public ArtifactRef? Output { get; set; }

    /// <summary>Progress of the current run, mirrored from the trainer's progress.json.</summary>
    public Progress? Progress { get; set; }

    /// <summary>Pods started for the current run, including the first.</summary>
    public int? Attempts { get; set; }

    /// <summary>When the current run's first Job was created.</summary>
    public DateTime? StartTime { get; set; }

    /// <summary>When the current run succeeded or failed.</summary>
    public DateTime? CompletionTime { get; set; }
}

/// <summary>Observed state of a TrainingStage.</summary>
public sealed class TrainingStageStatus : RunStatus
{
    /// <summary>Committed checkpoints of the current run that the retention policy keeps, oldest first.</summary>
    public List<CheckpointRef>? Checkpoints { get; set; }
}

/// <summary>A condition, shaped like <c>metav1.Condition</c>.</summary>
public sealed record Condition
{
    /// <summary>CamelCase type, e.g. <c>Ready</c>.</summary>
    public required string Type { get; init; }

    /// <summary><c>True</c>, <c>False</c> or <c>Unknown</c>.</summary>
    public required string Status { get; init; }

    /// <summary>The generation the condition was set for.</summary>
    public long? ObservedGeneration { get; init; }

    /// <summary>When the status last changed.</summary>
    public required DateTime LastTransitionTime { get; init; }

    /// <summary>CamelCase machine-readable reason.</summary>
    public required string Reason { get; init; }

    /// <summary>What happened and, for problems, how to fix it.</summary>
    public required string Message { get; init; }
}

/// <summary>An immutable artifact: a committed directory and the digest of its MANIFEST.json.</summary>
public sealed record ArtifactRef
{
    /// <summary>URI of the committed directory.</summary>
    public required string Uri { get; init; }

    /// <summary><c>sha256:…</c> of the directory's MANIFEST.json.</summary>
    public required string Digest { get; init; }
}

/// <summary>One resolved input of a run.</summary>
public sealed record ResolvedInput
{
    /// <summary>What the input is for: <c>model</c>, <c>base</c> or <c>input-N</c>.</summary>
    public required string Role { get; init; }

    /// <summary>Where it came from, in short form.</summary>
    public required string Source { get; init; }

    /// <summary>URI of the committed artifact.</summary>
    public required string Uri { get; init; }

    /// <summary>Digest of the artifact's MANIFEST.json.</summary>
    public required string Digest { get; init; }
}

/// <summary>A committed checkpoint.</summary>
public sealed record CheckpointRef
{
    /// <summary>Optimizer step the checkpoint was taken after.</summary>
    public required long Step { get; init; }

    /// <summary>URI of the checkpoint directory.</summary>
    public required string Uri { get; init; }

    /// <summary>Digest of its MANIFEST.json.</summary>
    public required string Digest { get; init; }
}

/// <summary>Progress of a run.</summary>
public sealed record Progress
{
    /// <summary>Optimizer steps done (tensors written, for merges).</summary>
    public long Step { get; init; }

    /// <summary>Steps (tensors) in the whole run.</summary>
    public long Total { get; init; }

    /// <summary>Whole percent done, for printer columns.</summary>
    public int Percent { get; init; }

    /// <summary>Training tokens seen.</summary>
    public long? Tokens { get; init; }

    /// <summary>Training loss, averaged over the last report interval.</summary>
    public double? Loss { get; init; }

    /// <summary>Current learning rate.</summary>
    public double? LearningRate { get; init; }

    /// <summary>Training throughput over the last report interval.</summary>
    public double? TokensPerSecond { get; init; }

    /// <summary>Estimated seconds until the run ends.</summary>
    public long? EtaSeconds { get; init; }

    /// <summary>When the trainer wrote this report.</summary>
    public DateTime? UpdatedAt { get; init; }
}
