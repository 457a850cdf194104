using System.Net;
using Apriel.Artifacts.S3;
using Apriel.Artifacts.Tests.Support;
using Apriel.Testing;

namespace Apriel.Artifacts.Tests;

/// <summary>
/// How the S3 store meets failures: transient ones (5xx, resets, refused connections) are retried with backoff,
/// permanent ones (4xx) are not, downloads resume, and no message carries a secret.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class S3FaultTests(S3Fixture fixture) : IAsyncLifetime
{
    readonly FaultInjectingHandler transport = new();
    readonly List<TimeSpan> waits = [];
    S3ArtifactStore? store;

    S3ArtifactStore Store => store!;

    RetryPolicy Recording => new()
    {
        MaxAttempts = 4,
        InitialDelay = TimeSpan.FromMilliseconds(100),
        Jitter = false,
        Delay = (wait, _) =>
        {
            lock (waits) waits.Add(wait);
            return Task.CompletedTask;
        },
    };

    // A short stall timeout so the stalled-download test does not wait long; nothing else stalls.
    public async Task InitializeAsync() =>
        store = await TestStores.S3Async(fixture.Server, Recording, transport, readStallTimeout: TimeSpan.FromSeconds(2));

    public Task DisposeAsync()
    {
        store?.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, "SlowDown")]
    [InlineData(HttpStatusCode.InternalServerError, "InternalError")]
    [InlineData(HttpStatusCode.TooManyRequests, "SlowDown")]
    public async Task Should_retry_transient_answers_with_exponential_backoff(HttpStatusCode status, string code)
    {
        var data = Bytes.Random(1000);

        transport.FailNext(2, status, code);
        await Store.PutAsync("k", data);
        transport.FailNext(2, status, code);
        Assert.Equal(data[10..110], await Store.GetAsync("k", 10, 100));
        transport.FailNext(2, status, code);
        Assert.Equal(1000, await Store.GetSizeAsync("k")); // HEADs: no error body
        transport.FailNext(2, status, code);
        Assert.Single(await Store.ListAsync(""));
        transport.FailNext(2, status, code);
        await Store.DeleteAsync("k");

        Assert.Null(await Store.GetSizeAsync("k"));
        Assert.Equal(Enumerable.Repeat(new[] { 100.0, 200.0 }, 5).SelectMany(x => x), waits.Select(w => w.TotalMilliseconds));
    }

    [Fact]
    public async Task Should_retry_a_part_of_a_multipart_upload_that_fails()
    {
        var data = Bytes.Random(20 * 1024 * 1024, seed: 3);
        // Not seekable: the part is retried from the bytes already read, never by reading the source again.
        await using var content = new DyingStream(new MemoryStream(data), limit: data.Length + 1);
        // Request 1 starts the multipart upload, request 2 sends a part: that one fails.
        transport.FailAfter(1, 1, HttpStatusCode.ServiceUnavailable, "SlowDown");

        await Store.PutAsync("big", content, data.Length);

        Assert.EndsWith(" part range= if-match=", transport.Requests[1]);
        Assert.Equal(Bytes.Sha256(data), Bytes.Sha256(await Store.GetAsync("big")));
        Assert.Single(waits);
    }

    [Fact]
    public async Task Should_abort_a_multipart_upload_whose_part_is_refused()
    {
        await Store.PutAsync("big", Bytes.Text("previous"));
        var data = Bytes.Random(40 * 1024 * 1024, seed: 4);
        transport.Requests.Clear();
        transport.FailAfter(2, 1, HttpStatusCode.Forbidden, "AccessDenied");

        var error = await Assert.ThrowsAsync<ArtifactStoreException>(() => Store.PutAsync("big", data));

        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Contains(transport.Requests, r => r.StartsWith("DELETE ", StringComparison.Ordinal) && r.Contains("/store/big", StringComparison.Ordinal));
        Assert.DoesNotContain(transport.Requests, r => r.StartsWith("POST ", StringComparison.Ordinal) && r != transport.Requests[0]); // never completed
        Assert.Equal(Bytes.Text("previous"), await Store.GetAsync("big"));
        Assert.Empty(waits);
    }

    [Fact]
    public async Task Should_give_up_after_the_last_attempt_with_a_transient_error()
    {
        transport.FailNext(10, HttpStatusCode.ServiceUnavailable, "SlowDown");

        var error = await Assert.ThrowsAsync<ArtifactStoreException>(() => Store.GetSizeAsync("k"));

        Assert.True(error.IsTransient);
        Assert.Equal(503, error.StatusCode);
        Assert.Equal(3, waits.Count);
        Assert.Equal([100.0, 200.0, 400.0], waits.Select(w => w.TotalMilliseconds));
    }

    [Fact]
    public async Task Should_not_retry_a_refusal()
    {
        await Store.PutAsync("k", Bytes.Text("x"));

        transport.FailNext(1, HttpStatusCode.Forbidden, "AccessDenied");
        var get = await Assert.ThrowsAsync<ArtifactStoreException>(() => Store.OpenReadAsync("k"));
        transport.FailNext(1, HttpStatusCode.Forbidden, "AccessDenied");
        var head = await Assert.ThrowsAsync<ArtifactStoreException>(() => Store.GetSizeAsync("k"));
        transport.FailNext(1, HttpStatusCode.Forbidden, "AccessDenied");
        var put = await Assert.ThrowsAsync<ArtifactStoreException>(() => Store.PutAsync("k", Bytes.Text("y")));

        Assert.All(new[] { get, head, put }, e => Assert.False(e.IsTransient));
        Assert.Equal(403, get.StatusCode);
        Assert.Equal("AccessDenied", get.ErrorCode);
        Assert.Contains("k", get.Message);
        Assert.Empty(waits);
        Assert.Equal(Bytes.Text("x"), await Store.GetAsync("k"));
    }

    [Fact]
    public async Task Should_not_retry_a_missing_object()
    {
        await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Store.OpenReadAsync("missing"));
        Assert.Null(await Store.GetSizeAsync("missing"));

        Assert.Empty(waits);
    }

    [Fact]
    public async Task Should_refuse_a_wrong_access_key_without_retrying()
    {
        // s3rver checks the access key (not the signature), and answers 403 InvalidAccessKeyId.
        var bucket = await TestStores.NewBucketAsync(fixture.Server);
        var options = TestStores.Options(fixture.Server, bucket);
        using var wrong = new S3ArtifactStore(new S3StoreOptions
        {
            Endpoint = options.Endpoint, Secure = false, Bucket = bucket, Prefix = options.Prefix,
            AccessKey = "NOT-A-KEY", SecretKey = "secret-that-must-not-leak",
        }, Recording);

        var error = await Assert.ThrowsAsync<ArtifactStoreException>(() => wrong.PutAsync("k", Bytes.Text("x")));

        Assert.False(error.IsTransient);
        Assert.Empty(waits);
        Assert.DoesNotContain("secret-that-must-not-leak", error.ToString());
    }

    [Fact]
    public async Task Should_retry_a_refused_connection_then_report_it_without_secrets()
    {
        const string secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";
        var options = new S3StoreOptions
        {
            Endpoint = $"127.0.0.1:{FreePort.Next()}", Secure = false, Bucket = "nobody-home", Prefix = "p/",
            AccessKey = "AKIAIOSFODNN7EXAMPLE", SecretKey = secret,
        };
        using var unreachable = new S3ArtifactStore(options, Recording);

        var put = await Assert.ThrowsAsync<ArtifactStoreException>(() => unreachable.PutAsync("a/b", Bytes.Text("x")));
        var get = await Assert.ThrowsAsync<ArtifactStoreException>(() => unreachable.OpenReadAsync("a/b"));

        Assert.True(put.IsTransient);
        Assert.Contains("s3://nobody-home/p/a/b", put.Message);
        Assert.Equal(6, waits.Count); // 3 retries each
        foreach (var text in new[] { put.ToString(), get.ToString(), options.ToString(), unreachable.ToString() })
        {
            Assert.DoesNotContain(secret, text);
            Assert.DoesNotContain("AKIAIOSFODNN7EXAMPLE", text);
        }
    }

    [Fact]
    public async Task Should_resume_a_download_whose_connection_breaks()
    {
        var data = Bytes.Random(12 * 1024 * 1024, seed: 4);
        await Store.PutAsync("big", data);
        transport.Requests.Clear();

        transport.CutNextGetAfter(3 * 1024 * 1024);
        var read = await Store.GetAsync("big");

        Assert.Equal(Bytes.Sha256(data), Bytes.Sha256(read));
        var gets = transport.Requests.Where(r => r.StartsWith("GET", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, gets.Count);
        Assert.Contains("range=bytes=3145728-12582911", gets[1]);
        Assert.Contains("if-match=\"", gets[1]);
        Assert.Single(waits);
    }

    [Fact]
    public async Task Should_resume_a_download_whose_connection_goes_silent()
    {
        var data = Bytes.Random(2 * 1024 * 1024, seed: 6);
        await Store.PutAsync("quiet", data);
        transport.Requests.Clear();

        transport.StallNextGetAfter(1024 * 1024);
        var read = await Store.GetAsync("quiet");

        Assert.Equal(Bytes.Sha256(data), Bytes.Sha256(read));
        Assert.Contains("range=bytes=1048576-2097151", transport.Requests.Last());
    }

    [Fact]
    public async Task Should_refuse_to_splice_a_download_across_two_versions()
    {
        var data = Bytes.Random(4 * 1024 * 1024, seed: 4);
        await Store.PutAsync("v", data);
        transport.CutNextGetAfter(1024 * 1024);
        await using var stream = await Store.OpenReadAsync("v");
        var buffer = new byte[1024 * 1024];
        await stream.ReadExactlyAsync(buffer);

        await Store.PutAsync("v", Bytes.Random(4 * 1024 * 1024, seed: 5));
        var error = await Assert.ThrowsAsync<ArtifactStoreException>(() => Bytes.ReadAllAsync(stream));

        Assert.Contains("changed while it was being read", error.Message);
    }
}
