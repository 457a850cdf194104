using System.Text.RegularExpressions;

namespace Apriel.Artifacts.S3;

/// <summary>
/// Sits under the Minio client's HttpClient and turns 5xx/429/408 answers into a transient
/// <see cref="ArtifactStoreException"/> with the status and the S3 error code. Minio 7.0.0 mishandles some of them
/// (a 5xx without a body, e.g. to a HEAD, ends in a NullReferenceException, and a GET's error body reaches the
/// download callback as if it were content); failing here, before Minio sees the answer, gives every path the same
/// clear, retryable error. The message has the method and path only: never the query (presigned signatures).
/// </summary>
sealed partial class S3ErrorHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    // Error bodies are small XML documents; read at most this much of one.
    const int MaxErrorBody = 16 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!TransientErrors.IsTransientStatus(response.StatusCode)) return response;
        using (response)
        {
            var code = await ReadErrorCodeAsync(response, cancellationToken).ConfigureAwait(false);
            throw new ArtifactStoreException(
                $"S3 answered {(int)response.StatusCode}{(code is null ? "" : " " + code)} to {request.Method} {Describe(request.RequestUri)}.",
                isTransient: true, (int)response.StatusCode, code);
        }
    }

    /// <summary>scheme://host/path of a request, without the query.</summary>
    public static string Describe(Uri? uri) => uri is null ? "?" : uri.GetLeftPart(UriPartial.Path);

    /// <summary>The &lt;Code&gt; of an S3 error body, if it has one.</summary>
    public static async Task<string?> ReadErrorCodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new byte[MaxErrorBody];
            var total = 0;
            int n;
            while (total < buffer.Length && (n = await body.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += n;
            }
            var match = CodeElement().Match(System.Text.Encoding.UTF8.GetString(buffer, 0, total));
            return match.Success ? match.Groups[1].Value : null;
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return null; // The status alone still says what happened.
        }
    }

    [GeneratedRegex("<Code>([A-Za-z0-9.]{1,64})</Code>")]
    private static partial Regex CodeElement();
}
