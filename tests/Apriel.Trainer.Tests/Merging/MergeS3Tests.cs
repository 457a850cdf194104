using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;
using Apriel.Testing;
using Minio;
using Minio.DataModel.Args;
using static TorchSharp.torch;

namespace Apriel.Trainer.Tests.Merging;

/// <summary>A merge that reads its inputs from s3rver (ranged reads) and commits its output there.</summary>
public sealed class MergeS3Tests : IClassFixture<S3Fixture>
{
    readonly S3Server server;

    public MergeS3Tests(S3Fixture fixture) => server = fixture.Server;

    [Fact]
    public async Task Should_merge_from_and_to_s3()
    {
        var bucket = "merge" + Guid.NewGuid().ToString("N")[..16];
        using (var client = new MinioClient().WithEndpoint(server.HostAndPort).WithSSL(false)
            .WithCredentials(S3Server.AccessKey, S3Server.SecretKey).WithRegion("us-east-1").Build())
        {
            await client.MakeBucketAsync(new MakeBucketArgs().WithBucket(bucket));
        }
        var environment = new Dictionary<string, string>
        {
            [ArtifactStores.AccessKeyVariable] = S3Server.AccessKey,
            [ArtifactStores.SecretKeyVariable] = S3Server.SecretKey,
            [ArtifactStores.EndpointVariable] = server.Endpoint.ToString().TrimEnd('/'),
        };
        IArtifactStore Open(string root) => ArtifactStores.Open(root, name => environment.GetValueOrDefault(name));
        using var fixtures = new MergeFixtures(Open($"s3://{bucket}/artifacts/"), Open);
        var (a, b) = (MergeFixtures.Model(seed: 1), MergeFixtures.Model(seed: 2));
        var task = fixtures.Task(MergeMethod.Linear, [
            MergeFixtures.Input(fixtures.Commit("ns/a/run/model/", a, maxShardBytes: 300_000)),
            MergeFixtures.Input(fixtures.Commit("ns/b/run/model/", b, "input-1", maxShardBytes: 300_000))]);

        var committed = fixtures.Run(task, sliceElements: 5000);

        Assert.StartsWith($"s3://{bucket}/artifacts/out/model/", committed.Uri);
        using var merged = fixtures.Load(committed);
        var (wa, wb) = (a.state_dict(), b.state_dict());
        foreach (var (name, value) in merged.state_dict())
            Assert.True(value.allclose((wa[name] + wb[name]) / 2, rtol: 0, atol: 1e-6), name);
    }
}
