namespace Apriel.Artifacts.S3;

/// <summary>
/// Where an S3 store is and how to reach it. <see cref="ToString"/> never shows the secret key, so options can be
/// logged; the secret itself is only handed to the Minio client.
/// </summary>
public sealed class S3StoreOptions
{
    /// <summary>host[:port], without scheme: <c>s3.amazonaws.com</c>, <c>minio.storage:9000</c>.</summary>
    public required string Endpoint { get; init; }

    /// <summary>TLS (https) when true.</summary>
    public bool Secure { get; init; } = true;

    public required string AccessKey { get; init; }

    public required string SecretKey { get; init; }

    /// <summary>Temporary credentials' session token, when any.</summary>
    public string? SessionToken { get; init; }

    /// <summary>Signing region; MinIO accepts the default.</summary>
    public string Region { get; init; } = "us-east-1";

    public required string Bucket { get; init; }

    /// <summary>Key prefix of the store inside the bucket: "" or a directory ending with '/'.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>
    /// Limit of one HTTP exchange (a 16 MiB part upload included); for a download, of the wait for its headers.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Part size of a multipart upload (more when the object would need more than S3's 10,000 parts). At least 5 MiB,
    /// S3's smallest part.
    /// </summary>
    public int UploadPartSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>Parts of one multipart upload sent at once.</summary>
    public int UploadParallelism { get; init; } = 4;

    /// <summary>
    /// What an upload holds in memory at most: (<see cref="UploadParallelism"/> + 1) × <see cref="UploadPartSize"/> (the
    /// parts in flight and the one being read), 80 MiB by default. An object up to this size is sent in one PUT.
    /// </summary>
    public long UploadMemory => (UploadParallelism + 1L) * UploadPartSize;

    /// <summary>A download whose body sends nothing for this long is treated as a broken connection and resumed.</summary>
    public TimeSpan ReadStallTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>s3://bucket/prefix/</summary>
    public string Root => $"s3://{Bucket}/{Prefix}";

    public override string ToString() =>
        $"{Root} at {(Secure ? "https" : "http")}://{Endpoint} (region {Region}, access key {Redact(AccessKey)})";

    // Enough to tell two keys apart in a log, not enough to use one.
    static string Redact(string accessKey) => accessKey.Length <= 4 ? "****" : accessKey[..4] + "****";
}
