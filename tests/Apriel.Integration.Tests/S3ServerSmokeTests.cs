using System.Net;
using Apriel.Testing;
using Xunit;

namespace Apriel.Integration.Tests;

/// <summary>s3rver starts and stores objects (plain HTTP, no S3 client library).</summary>
[Collection(S3Collection.Name)]
public sealed class S3ServerSmokeTests(S3Fixture fixture)
{
    [Fact]
    public async Task PutThenGetReturnsTheSameBytes()
    {
        using var http = new HttpClient { BaseAddress = fixture.Server.Endpoint };
        var bucket = $"smoke-{Guid.NewGuid():N}"[..20];
        var body = "hello from the smoke test"u8.ToArray();

        using var created = await http.PutAsync($"/{bucket}", content: null);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        using var put = await http.PutAsync($"/{bucket}/dir/object.txt", new ByteArrayContent(body));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        Assert.Equal(body, await http.GetByteArrayAsync($"/{bucket}/dir/object.txt"));
    }
}
