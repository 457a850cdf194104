using Apriel.Artifacts.S3;
using Apriel.Testing;
using Minio;
using Minio.DataModel.Args;

namespace Apriel.Artifacts.Tests.Support;

/// <summary>Stores for tests: a fresh bucket on the shared s3rver, or a fresh temp directory.</summary>
static class TestStores
{
    /// <summary>Retries without sleeping; records nothing.</summary>
    public static RetryPolicy NoWait { get; } = new() { Jitter = false, Delay = (_, _) => Task.CompletedTask };

    /// <summary>
    /// Options of a test store: 5 MiB parts (S3's smallest), two in flight, so multipart above 15 MiB and both kinds of
    /// upload are exercised by small objects.
    /// </summary>
    public static S3StoreOptions Options(S3Server server, string bucket, string prefix = "store/") => new()
    {
        UploadPartSize = 5 * 1024 * 1024,
        UploadParallelism = 2,
        Endpoint = server.HostAndPort,
        Secure = false,
        AccessKey = S3Server.AccessKey,
        SecretKey = S3Server.SecretKey,
        Bucket = bucket,
        Prefix = prefix,
    };

    /// <summary>A store in a new bucket, under a prefix (so prefix handling is always exercised).</summary>
    public static async Task<S3ArtifactStore> S3Async(S3Server server, RetryPolicy? retry = null, HttpMessageHandler? transport = null,
        TimeSpan? readStallTimeout = null)
    {
        var bucket = await NewBucketAsync(server);
        var options = Options(server, bucket);
        if (readStallTimeout is { } stall)
        {
            options = new S3StoreOptions
            {
                Endpoint = options.Endpoint, Secure = options.Secure, AccessKey = options.AccessKey, SecretKey = options.SecretKey,
                Bucket = options.Bucket, Prefix = options.Prefix, ReadStallTimeout = stall,
                UploadPartSize = options.UploadPartSize, UploadParallelism = options.UploadParallelism,
            };
        }
        return new S3ArtifactStore(options, retry ?? NoWait, transport);
    }

    public static async Task<string> NewBucketAsync(S3Server server)
    {
        var bucket = "t" + Guid.NewGuid().ToString("N")[..20];
        using var client = new MinioClient().WithEndpoint(server.HostAndPort).WithSSL(false)
            .WithCredentials(S3Server.AccessKey, S3Server.SecretKey).WithRegion("us-east-1").Build();
        await client.MakeBucketAsync(new MakeBucketArgs().WithBucket(bucket));
        return bucket;
    }
}
