namespace Apriel.Artifacts;

/// <summary>
/// A store operation failed: the message names the operation and the object (never credentials); the S3 status and
/// error code are kept when the server gave them. <see cref="IsTransient"/> says whether trying again may help.
/// </summary>
public sealed class ArtifactStoreException(
    string message, bool isTransient, int? statusCode = null, string? errorCode = null, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>True for connection failures, timeouts, 5xx, 429 (slow down) and 408 answers.</summary>
    public bool IsTransient { get; } = isTransient;

    /// <summary>HTTP status of the server's answer, when there was one.</summary>
    public int? StatusCode { get; } = statusCode;

    /// <summary>S3 error code (e.g. <c>SlowDown</c>, <c>AccessDenied</c>), when the server gave one.</summary>
    public string? ErrorCode { get; } = errorCode;
}
