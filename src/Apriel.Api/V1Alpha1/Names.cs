namespace Apriel.Api.V1Alpha1;

/// <summary>Patterns shared by the schema and the validators.</summary>
public static class Names
{
    /// <summary>RFC 1123 label: what Job names derived from ours must satisfy.</summary>
    public const string DnsLabelPattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

    /// <summary>
    /// Resource names are at most 40 characters so that <c>NAME-RUNID-ATTEMPT</c> Job names and the pod names
    /// Kubernetes derives from them stay within the 63-character label limit.
    /// </summary>
    public const int MaxNameLength = 40;

    /// <summary>
    /// Artifact URIs we can read: S3 (MinIO, AWS), a local directory, or a path relative to the artifact store's
    /// root (the operator's bucket and prefix, or the local runner's directory). RE2 syntax, as API servers use;
    /// <c>..</c> segments are refused in code.
    /// </summary>
    public const string ArtifactUriPattern = "^(s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?|file:///.*|[A-Za-z0-9_][-A-Za-z0-9_./]*)$";

    /// <summary>A sha256 digest.</summary>
    public const string DigestPattern = "^sha256:[0-9a-f]{64}$";

    /// <summary>A Kubernetes label value / qualified name, used for queue and priority class names.</summary>
    public const string QualifiedNamePattern = "^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$";
}
