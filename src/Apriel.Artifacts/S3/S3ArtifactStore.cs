using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Minio;
using Minio.DataModel.Args;
using Minio.Exceptions;

namespace Apriel.Artifacts.S3;

/// <summary>
/// An artifact store in an S3 bucket (AWS S3, MinIO, or any S3-protocol server). Uploads are our own requests
/// (<see cref="S3Requests"/>, S3ArtifactStore.Upload.cs): the source is read once, in parts held in memory, several in
/// flight, so a file is never buffered whole and each part retries on its own. Reads are a presigned GET on our own
/// HttpClient: Minio's GetObjectAsync only hands the body to a callback, after an extra HEAD, and before checking the
/// status; a plain GET gives a stream the caller owns, one request per ranged read, and a checked status. Stat, list and
/// delete go through the Minio client. Every operation retries transient errors (<see cref="RetryPolicy"/>).
/// </summary>
public sealed partial class S3ArtifactStore : IArtifactStore
{
    // Presigned URLs are used at once; the expiry only has to outlast clock skew and a slow first byte.
    const int PresignExpirySeconds = 3600;

    readonly S3StoreOptions options;
    readonly HttpClient http;
    readonly IMinioClient client;
    readonly S3Requests requests;

    /// <param name="options">Endpoint, credentials, bucket, prefix.</param>
    /// <param name="retry">Retry policy; <see cref="RetryPolicy.Default"/> when null.</param>
    /// <param name="transport">The HTTP handler to send through (tests inject faults here); a pooled socket handler when null.</param>
    public S3ArtifactStore(S3StoreOptions options, RetryPolicy? retry = null, HttpMessageHandler? transport = null)
    {
        this.options = options;
        ArtifactKeys.ValidatePrefix(options.Prefix, nameof(options));
        if (options.Prefix.Length > 0 && !options.Prefix.EndsWith('/'))
        {
            throw new ArgumentException($"S3 store prefix \"{options.Prefix}\" must end with '/'.", nameof(options));
        }
        Retry = retry ?? RetryPolicy.Default;
        transport ??= new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(30),
            // Re-resolve DNS now and then (in-cluster endpoints move).
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        http = new HttpClient(new S3ErrorHandler(transport));
        var minio = new MinioClient()
            .WithEndpoint(options.Endpoint)
            .WithSSL(options.Secure)
            .WithCredentials(options.AccessKey, options.SecretKey)
            .WithRegion(options.Region)
            .WithTimeout((int)options.RequestTimeout.TotalMilliseconds)
            .WithHttpClient(http, disposeHttpClient: false);
        if (options.SessionToken is { Length: > 0 } token) minio = minio.WithSessionToken(token);
        client = minio.Build();
        // Build() sets a 30 min timeout on the HttpClient; requests are bounded by RequestTimeout and read timeouts instead.
        http.Timeout = Timeout.InfiniteTimeSpan;
        requests = new S3Requests(options, http, TimeProvider.System);
    }

    public string Root => options.Root;

    /// <summary>The retry policy of every operation (and of resumed downloads).</summary>
    public RetryPolicy Retry { get; }

    /// <summary>How long a download's body may send nothing before it is resumed.</summary>
    internal TimeSpan ReadStallTimeout => options.ReadStallTimeout;

    public override string ToString() => options.ToString();

    public async Task<Stream> OpenReadAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        ArtifactKeys.Validate(key);
        ByteRanges.Check(offset, length);
        var first = await GetAsync(key, offset, length, etag: null, cancellationToken).ConfigureAwait(false);
        return new S3ReadStream(this, key, offset, first);
    }

    public Task<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default)
    {
        ArtifactKeys.Validate(key);
        return RunAsync("HEAD", key, Retry, async (_, ct) =>
        {
            try
            {
                var stat = await client.StatObjectAsync(
                    new StatObjectArgs().WithBucket(options.Bucket).WithObject(FullKey(key)), ct).ConfigureAwait(false);
                return (long?)stat.Size;
            }
            catch (ObjectNotFoundException)
            {
                return null;
            }
        }, cancellationToken);
    }

    public Task<IReadOnlyList<ArtifactObject>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ArtifactKeys.ValidatePrefix(prefix);
        return RunAsync("LIST", prefix, Retry, async (_, ct) =>
        {
            var args = new ListObjectsArgs().WithBucket(options.Bucket).WithPrefix(FullKey(prefix)).WithRecursive(true);
            var result = new List<ArtifactObject>();
            await foreach (var item in client.ListObjectsEnumAsync(args, ct).ConfigureAwait(false))
            {
                if (item.IsDir || item.Key is null || !item.Key.StartsWith(options.Prefix, StringComparison.Ordinal)) continue;
                var key = item.Key[options.Prefix.Length..];
                // Folder markers ("a/") and keys this API cannot address are not objects of the store.
                if (!ArtifactKeys.IsValid(key)) continue;
                result.Add(new ArtifactObject(key, checked((long)item.Size)));
            }
            result.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            return (IReadOnlyList<ArtifactObject>)result;
        }, cancellationToken);
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ArtifactKeys.Validate(key);
        return RunAsync("DELETE", key, Retry, async (_, ct) =>
        {
            await client.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(options.Bucket).WithObject(FullKey(key)), ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    public async Task<int> DeleteDirectoryAsync(string directory, CancellationToken cancellationToken = default)
    {
        ArtifactKeys.ValidateDirectory(directory);
        var objects = await ListAsync(directory, cancellationToken).ConfigureAwait(false);
        if (objects.Count == 0) return 0;
        var keys = objects.Select(o => FullKey(o.Key)).ToList();
        await RunAsync("DELETE", directory, Retry, async (_, ct) =>
        {
            // One request per 1000 keys (Minio batches); deleting a key twice is harmless, so retrying all is fine.
            var errors = await client.RemoveObjectsAsync(new RemoveObjectsArgs().WithBucket(options.Bucket).WithObjects(keys), ct).ConfigureAwait(false);
            if (errors.Count > 0)
            {
                var first = errors[0];
                throw new ArtifactStoreException(
                    $"S3 refused to delete {errors.Count} object(s) under {Root}{directory}, e.g. \"{first.Key}\": {first.Code} {first.Message}",
                    isTransient: errors.All(e => TransientErrors.IsTransientCode(e.Code)), errorCode: first.Code);
            }
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return objects.Count;
    }

    public void Dispose()
    {
        client.Dispose();
        http.Dispose();
    }

    /// <summary>An answered GET: its body, how many bytes it will yield, and the object's ETag.</summary>
    internal sealed record Response(HttpResponseMessage Message, Stream Body, long Length, string? ETag) : IDisposable
    {
        public void Dispose()
        {
            Body.Dispose();
            Message.Dispose();
        }
    }

    /// <summary>
    /// GETs [offset, offset+length) (or the whole object), retrying transient failures until the headers arrive.
    /// With <paramref name="etag"/>, the object must still be that version (If-Match).
    /// </summary>
    internal Task<Response> GetAsync(string key, long offset, long? length, string? etag, CancellationToken cancellationToken) =>
        RunAsync("GET", key, Retry, async (_, ct) =>
        {
            var url = await client.PresignedGetObjectAsync(new PresignedGetObjectArgs()
                .WithBucket(options.Bucket).WithObject(FullKey(key)).WithExpiry(PresignExpirySeconds)).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            var ranged = offset > 0 || length is not null;
            if (ranged) request.Headers.Range = new RangeHeaderValue(offset, length is { } n ? offset + n - 1 : null);
            if (etag is not null) request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(etag));
            // Only until the headers: the body is read later, under S3ReadStream's stall timeout.
            var message = await requests.SendWithinTimeoutAsync(request, HttpCompletionOption.ResponseHeadersRead, $"GET {Root}{key}", ct)
                .ConfigureAwait(false);
            try
            {
                var served = await CheckAnswerAsync(message, key, offset, length, ranged, ct).ConfigureAwait(false);
                // If-Match already asks the server; checking the answer's ETag too covers servers that ignore it.
                if (etag is not null && message.Headers.ETag?.ToString() != etag)
                {
                    throw new ArtifactStoreException($"\"{Root}{key}\" changed while it was being read.", isTransient: false, 412);
                }
                var body = await message.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                return new Response(message, body, served, message.Headers.ETag?.ToString());
            }
            catch
            {
                message.Dispose();
                throw;
            }
        }, cancellationToken);

    /// <summary>Turns a GET's status into the store's errors; returns how many bytes the body will yield.</summary>
    async Task<long> CheckAnswerAsync(HttpResponseMessage message, string key, long offset, long? length, bool ranged, CancellationToken ct)
    {
        var contentLength = message.Content.Headers.ContentLength;
        switch (message.StatusCode)
        {
            case HttpStatusCode.OK when !ranged || offset == 0:
                // A server may answer a range from 0 with the whole object; we then read only the range.
                var size = contentLength ?? throw Permanent(message, key, "no Content-Length");
                if (length is { } wanted) ByteRanges.CheckWithin(Root, key, offset, wanted, size);
                return length ?? size;
            case HttpStatusCode.PartialContent:
                var range = message.Content.Headers.ContentRange;
                if (range is not { From: { } from, To: { } to } || from != offset)
                {
                    throw Permanent(message, key, $"a Content-Range of {range} for a read from byte {offset}");
                }
                var servedBytes = to - from + 1;
                if (length is { } n && servedBytes < n) ByteRanges.CheckWithin(Root, key, offset, n, range.Length ?? to + 1);
                return length ?? servedBytes;
            case HttpStatusCode.NotFound:
                throw new ArtifactNotFoundException(Root, key);
            case HttpStatusCode.RequestedRangeNotSatisfiable:
                ByteRanges.CheckWithin(Root, key, offset, length, message.Content.Headers.ContentRange?.Length ?? 0);
                throw Permanent(message, key, "416 Range Not Satisfiable");
            case HttpStatusCode.PreconditionFailed:
                throw new ArtifactStoreException($"\"{Root}{key}\" changed while it was being read.", isTransient: false, 412);
            default:
                var code = await S3ErrorHandler.ReadErrorCodeAsync(message, ct).ConfigureAwait(false);
                throw new ArtifactStoreException(
                    $"S3 answered {(int)message.StatusCode}{(code is null ? "" : " " + code)} to GET {Root}{key}.",
                    isTransient: false, (int)message.StatusCode, code);
        }
    }

    ArtifactStoreException Permanent(HttpResponseMessage message, string key, string what) =>
        new($"S3 gave {what} to GET {Root}{key} (status {(int)message.StatusCode}).", isTransient: false, (int)message.StatusCode);

    /// <summary>
    /// Runs one operation under a retry policy; errors that are not already the store's own come out as an
    /// <see cref="ArtifactStoreException"/> naming the operation and the object.
    /// </summary>
    async Task<T> RunAsync<T>(string operation, string key, RetryPolicy policy, Func<int, CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        try
        {
            return await policy.RunAsync(action, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (ArtifactStoreException or ArtifactNotFoundException or ArtifactIntegrityException
            or ArgumentException or InvalidDataException) && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            throw new ArtifactStoreException($"S3 {operation} {Root}{key} failed: {e.GetType().Name}: {e.Message}",
                policy.IsTransient(e), inner: e);
        }
    }

    string FullKey(string key) => options.Prefix + key;
}
