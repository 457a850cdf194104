using System.Net;
using System.Net.Sockets;
using Minio.Exceptions;

namespace Apriel.Artifacts.Tests;

public sealed class RetryPolicyTests
{
    readonly List<TimeSpan> waits = [];

    RetryPolicy Policy(int attempts = 5) => new()
    {
        MaxAttempts = attempts,
        InitialDelay = TimeSpan.FromMilliseconds(100),
        MaxDelay = TimeSpan.FromMilliseconds(350),
        Jitter = false,
        Delay = (wait, _) =>
        {
            waits.Add(wait);
            return Task.CompletedTask;
        },
    };

    [Fact]
    public async Task Should_retry_transient_errors_with_capped_exponential_backoff_until_success()
    {
        var calls = 0;

        var result = await Policy().RunAsync((attempt, _) =>
        {
            calls++;
            return attempt < 5 ? throw new HttpRequestException("connection refused") : Task.FromResult(42);
        });

        Assert.Equal(42, result);
        Assert.Equal(5, calls);
        Assert.Equal([100.0, 200.0, 350.0, 350.0], waits.Select(w => w.TotalMilliseconds));
    }

    [Fact]
    public async Task Should_not_retry_a_permanent_error()
    {
        var calls = 0;

        await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Policy().RunAsync<int>((_, _) =>
        {
            calls++;
            throw new ArtifactNotFoundException("s3://b/", "k");
        }));

        Assert.Equal(1, calls);
        Assert.Empty(waits);
    }

    [Fact]
    public async Task Should_rethrow_the_last_error_when_attempts_run_out()
    {
        var error = await Assert.ThrowsAsync<TimeoutException>(() => Policy(attempts: 3).RunAsync<int>(
            (attempt, _) => throw new TimeoutException($"attempt {attempt}")));

        Assert.Equal("attempt 3", error.Message);
        Assert.Equal(2, waits.Count);
    }

    [Fact]
    public async Task Should_not_retry_when_the_caller_cancels()
    {
        using var cancellation = new CancellationTokenSource();
        var calls = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Policy().RunAsync<int>((_, ct) =>
        {
            calls++;
            cancellation.Cancel();
            ct.ThrowIfCancellationRequested();
            return Task.FromResult(0);
        }, cancellation.Token));

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Should_treat_a_timeout_cancellation_as_transient()
    {
        var result = await Policy().RunAsync((attempt, _) =>
            attempt == 1 ? throw new TaskCanceledException("HttpClient timeout") : Task.FromResult("ok"));

        Assert.Equal("ok", result);
        Assert.Single(waits);
    }

    [Fact]
    public async Task Should_draw_jittered_waits_between_half_and_the_full_backoff()
    {
        var policy = Policy(attempts: 40) with { Jitter = true, MaxDelay = TimeSpan.FromSeconds(100) };

        await Assert.ThrowsAsync<IOException>(() => policy.RunAsync<int>((_, _) => throw new IOException("reset")));

        for (var i = 0; i < waits.Count; i++)
        {
            var full = policy.BackoffFor(i + 1);
            Assert.InRange(waits[i], full / 2, full);
        }
    }

    public static TheoryData<Exception, bool> Classified => new()
    {
        { new HttpRequestException("refused", new SocketException()), true },
        { new HttpRequestException("bad gateway", null, HttpStatusCode.BadGateway), true },
        { new HttpRequestException("not found", null, HttpStatusCode.NotFound), false },
        { new HttpRequestException("no status, no error kind"), true },
        { new HttpRequestException(HttpRequestError.SecureConnectionError, "tls"), false },
        { new IOException("connection reset"), true },
        { new FileNotFoundException("no file"), false },
        { new SocketException(), true },
        { new TimeoutException(), true },
        { new ArtifactStoreException("503", isTransient: true, 503, "SlowDown"), true },
        { new ArtifactStoreException("403", isTransient: false, 403, "AccessDenied"), false },
        { new ArtifactIntegrityException("k", "corrupt"), false },
        { new ArgumentException("bad key"), false },
        { new InvalidDataException("short source"), false },
        { new ConnectionException("down"), true },
        { new ObjectNotFoundException("k"), false },
        { new BucketNotFoundException("b", "gone"), false },
        { new AccessDeniedException("no"), false },
        { new AuthorizationException("r", "b", "bad signature"), false },
        { new InvalidOperationException("wrapped", new IOException("reset")), true },
        { new InvalidOperationException("bug"), false },
    };

    [Theory]
    [MemberData(nameof(Classified))]
    public void Should_classify_errors(Exception error, bool transient) =>
        Assert.Equal(transient, TransientErrors.IsTransient(error));
}
