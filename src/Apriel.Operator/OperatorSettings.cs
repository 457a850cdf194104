using Apriel.Api.V1Alpha1;

namespace Apriel.Operator;

/// <summary>How the operator runs trainer pods; set by flags or environment (and the Helm chart's values).</summary>
public sealed record OperatorSettings
{
    /// <summary>Trainer image for stages and merges that set none.</summary>
    public required string TrainerImage { get; init; }

    /// <summary>Root of the artifact store, <c>s3://bucket/prefix/</c>; runs live under it.</summary>
    public required string ArtifactRoot { get; init; }

    /// <summary>S3 endpoint (<c>host:port</c>) for MinIO or another S3-compatible server; empty for AWS.</summary>
    public string? S3Endpoint { get; init; }

    /// <summary>Use plain HTTP to the S3 endpoint (in-cluster MinIO without TLS).</summary>
    public bool S3Insecure { get; init; }

    /// <summary>
    /// Secret (in each stage's namespace) with the keys <c>AWS_ACCESS_KEY_ID</c> and <c>AWS_SECRET_ACCESS_KEY</c>;
    /// pods get them by reference, the operator never reads them.
    /// </summary>
    public required string S3SecretName { get; init; }

    /// <summary>Extended resource name of a GPU when a stage sets none.</summary>
    public string GpuResourceName { get; init; } = "nvidia.com/gpu";

    /// <summary>Node selector of trainer pods whose stage or merge sets none (e.g. the GPU node pool).</summary>
    public Dictionary<string, string>? DefaultNodeSelector { get; init; }

    /// <summary>Tolerations of trainer pods whose stage or merge sets none (e.g. for tainted GPU nodes).</summary>
    public List<Toleration>? DefaultTolerations { get; init; }

    /// <summary>Kueue queue of Jobs whose stage or merge names none; null leaves them to the default scheduler.</summary>
    public string? DefaultQueueName { get; init; }

    /// <summary>Seconds a trainer pod gets after SIGTERM to write its checkpoint.</summary>
    public long TerminationGracePeriodSeconds { get; init; } = 600;
}
