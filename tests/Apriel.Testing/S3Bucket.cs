using Apriel.Artifacts;
using Apriel.Artifacts.S3;
using Minio;
using Minio.DataModel.Args;

namespace Apriel.Testing;

/// <summary>A fresh bucket on the shared s3rver: stores over it for the test itself, the environment for a trainer process.</summary>
public sealed class S3Bucket(S3Server server, string name)
{
    public string Name { get; } = name;

    /// <summary>s3://NAME/</summary>
    public string Root => $"s3://{Name}/";

    public static async Task<S3Bucket> CreateAsync(S3Server server)
    {
        var name = "t" + Guid.NewGuid().ToString("N")[..20];
        using var client = new MinioClient().WithEndpoint(server.HostAndPort).WithSSL(false)
            .WithCredentials(S3Server.AccessKey, S3Server.SecretKey).WithRegion("us-east-1").Build();
        await client.MakeBucketAsync(new MakeBucketArgs().WithBucket(name));
        return new S3Bucket(server, name);
    }

    /// <summary>A store at <c>s3://NAME/PREFIX</c>.</summary>
    public S3ArtifactStore Store(string prefix = "") => new(new S3StoreOptions
    {
        Endpoint = server.HostAndPort, Secure = false, AccessKey = S3Server.AccessKey, SecretKey = S3Server.SecretKey, Bucket = Name, Prefix = prefix,
    });

    /// <summary>Opens stores under this bucket's root as the trainer process would from its environment.</summary>
    public IArtifactStore Open(string root) => ArtifactStores.Open(root, name => Environment.GetValueOrDefault(name));

    /// <summary>What a trainer process needs to reach the bucket.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        [ArtifactStores.EndpointVariable] = server.HostAndPort,
        [ArtifactStores.InsecureVariable] = "1",
        [ArtifactStores.AccessKeyVariable] = S3Server.AccessKey,
        [ArtifactStores.SecretKeyVariable] = S3Server.SecretKey,
    };

    /// <summary>Uploads every file under <paramref name="directory"/> to <paramref name="prefix"/>.</summary>
    public async Task UploadAsync(string directory, string prefix)
    {
        using var store = Store();
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            await using var content = File.OpenRead(file);
            await store.PutAsync(prefix + Path.GetRelativePath(directory, file).Replace(Path.DirectorySeparatorChar, '/'), content, content.Length);
        }
    }
}
