using System.Security;
using System.Text;
using System.Text.RegularExpressions;

namespace Apriel.Artifacts.S3;

/// <summary>
/// The S3 requests we send ourselves rather than through Minio: uploads (one PUT, or the multipart protocol). Path-style
/// URLs (<c>endpoint/bucket/key</c>, which MinIO and S3 both serve), signed by <see cref="SigV4"/> without hashing the
/// payload. 5xx/429/408 answers become transient errors in <see cref="S3ErrorHandler"/> beneath; any other refusal is a
/// permanent <see cref="ArtifactStoreException"/> with the status and S3 error code. No retries here: the caller retries.
/// </summary>
sealed class S3Requests(S3StoreOptions options, HttpClient http, TimeProvider time)
{
    static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    /// <summary>PUT of a whole object.</summary>
    public async Task PutObjectAsync(string fullKey, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Put, fullKey, "", new ReadOnlyMemoryContent(data), ct).ConfigureAwait(false);
    }

    /// <summary>Starts a multipart upload; returns its id.</summary>
    public async Task<string> CreateMultipartUploadAsync(string fullKey, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Post, fullKey, "uploads", null, ct).ConfigureAwait(false);
        var xml = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        return Element(xml, "UploadId") ?? throw Malformed(fullKey, "no UploadId in its answer to starting a multipart upload");
    }

    /// <summary>Uploads part <paramref name="number"/> (1-based); returns its ETag.</summary>
    public async Task<string> UploadPartAsync(string fullKey, string uploadId, int number, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        var query = $"partNumber={number}&uploadId={Uri.EscapeDataString(uploadId)}";
        using var response = await SendAsync(HttpMethod.Put, fullKey, query, new ReadOnlyMemoryContent(data), ct).ConfigureAwait(false);
        return response.Headers.ETag?.ToString() ?? throw Malformed(fullKey, $"no ETag for part {number}");
    }

    /// <summary>Assembles the parts (their ETags in part order) into the object.</summary>
    public async Task CompleteMultipartUploadAsync(string fullKey, string uploadId, IReadOnlyList<string> etags, CancellationToken ct)
    {
        var parts = string.Concat(etags.Select((etag, i) => $"<Part><PartNumber>{i + 1}</PartNumber><ETag>{SecurityElement.Escape(etag)}</ETag></Part>"));
        var body = new StringContent($"<CompleteMultipartUpload>{parts}</CompleteMultipartUpload>", Encoding.UTF8, "application/xml");
        using var response = await SendAsync(HttpMethod.Post, fullKey, $"uploadId={Uri.EscapeDataString(uploadId)}", body, ct).ConfigureAwait(false);
        // S3 can answer 200 and fail anyway: the error is then in the body.
        var xml = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (xml.Contains("<Error>", StringComparison.Ordinal))
        {
            var code = Element(xml, "Code") ?? "InternalError";
            throw new ArtifactStoreException($"S3 failed to complete the upload of {Describe(fullKey)}: {code}.",
                TransientErrors.IsTransientCode(code), 200, code);
        }
    }

    /// <summary>Drops a multipart upload and its parts.</summary>
    public async Task AbortMultipartUploadAsync(string fullKey, string uploadId, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Delete, fullKey, $"uploadId={Uri.EscapeDataString(uploadId)}", null, ct).ConfigureAwait(false);
    }

    async Task<HttpResponseMessage> SendAsync(HttpMethod method, string fullKey, string query, HttpContent? content, CancellationToken ct)
    {
        // Each segment percent-encoded (all but RFC 3986 unreserved characters), as SigV4's canonical URI wants.
        var path = $"/{options.Bucket}/{string.Join('/', fullKey.Split('/').Select(Uri.EscapeDataString))}";
        var uri = new Uri($"{(options.Secure ? "https" : "http")}://{options.Endpoint}{path}{(query.Length > 0 ? "?" + query : "")}",
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true }); // sent exactly as signed
        using var request = new HttpRequestMessage(method, uri) { Content = content };
        foreach (var (name, value) in SigV4.Sign(method.Method, uri.Authority, path, query, NoHeaders, SigV4.UnsignedPayload, time.GetUtcNow(), options))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        var response = await SendWithinTimeoutAsync(request, HttpCompletionOption.ResponseContentRead, $"{method} {Describe(fullKey)}", ct)
            .ConfigureAwait(false);
        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            var code = await S3ErrorHandler.ReadErrorCodeAsync(response, ct).ConfigureAwait(false);
            throw new ArtifactStoreException($"S3 answered {(int)response.StatusCode}{(code is null ? "" : " " + code)} to {method} {Describe(fullKey)}.",
                isTransient: false, (int)response.StatusCode, code);
        }
    }

    /// <summary>
    /// Sends a request with <see cref="S3StoreOptions.RequestTimeout"/> to answer (until <paramref name="completion"/>); a
    /// request that runs out of it fails with a <see cref="TimeoutException"/> (transient) naming <paramref name="what"/>.
    /// </summary>
    public async Task<HttpResponseMessage> SendWithinTimeoutAsync(HttpRequestMessage request, HttpCompletionOption completion, string what,
        CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(options.RequestTimeout);
        try
        {
            return await http.SendAsync(request, completion, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"No answer to {what} within {options.RequestTimeout}.", e);
        }
    }

    string Describe(string fullKey) => $"s3://{options.Bucket}/{fullKey}";

    ArtifactStoreException Malformed(string fullKey, string what) =>
        new($"S3 gave {what} for {Describe(fullKey)}.", isTransient: false);

    /// <summary>The text of the first &lt;name&gt; element of a small S3 XML answer.</summary>
    static string? Element(string xml, string name)
    {
        var match = Regex.Match(xml, $"<{name}>([^<]*)</{name}>");
        return match.Success ? System.Net.WebUtility.HtmlDecode(match.Groups[1].Value) : null;
    }
}
