using System.Net;
using System.Net.Sockets;
using Minio.Exceptions;

namespace Apriel.Artifacts;

/// <summary>
/// Which failures are worth retrying: connection failures, timeouts, resets and 5xx/429/408 answers. Never 4xx answers
/// (NoSuchKey, AccessDenied, bad requests), integrity failures or argument errors: trying again cannot fix those.
/// </summary>
public static class TransientErrors
{
    // S3 error codes that mean "the server is busy or hiccuped", whatever status carried them.
    static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout", "OperationAborted",
    };

    /// <summary>
    /// Whether <paramref name="error"/> may go away on a retry. A cancellation counts as a timeout (transient);
    /// the retry loop checks the caller's own token first.
    /// </summary>
    public static bool IsTransient(Exception error) => error switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => IsTransient(a.InnerExceptions[0]),
        // Ours first: they carry an explicit decision.
        ArtifactStoreException s => s.IsTransient,
        ArtifactNotFoundException or ArtifactIntegrityException => false,
        ArgumentException or InvalidDataException or NotSupportedException or UnauthorizedAccessException => false,
        // HTTP: no status means the connection failed (refused, reset, DNS, ended early); TLS errors are configuration.
        HttpRequestException h => h.StatusCode is { } status
            ? IsTransientStatus(status)
            : h.HttpRequestError != HttpRequestError.SecureConnectionError,
        TimeoutException or SocketException => true,
        OperationCanceledException => true,
        FileNotFoundException or DirectoryNotFoundException => false,
        IOException => true,
        // Minio's own types.
        ConnectionException => true,
        InternalServerException => true,
        ObjectNotFoundException or BucketNotFoundException or AccessDeniedException or AuthorizationException
            or ForbiddenException or InvalidObjectNameException or InvalidBucketNameException => false,
        MinioException m => m.Response?.Code is { } code && IsTransientCode(code),
        _ => error.InnerException is { } inner && IsTransient(inner),
    };

    /// <summary>Whether an S3 error code means "busy or hiccuped" (InternalError, SlowDown, ...), whatever status carried it.</summary>
    public static bool IsTransientCode(string code) => TransientCodes.Contains(code);

    /// <summary>5xx, 429 Too Many Requests and 408 Request Timeout.</summary>
    public static bool IsTransientStatus(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;
}
