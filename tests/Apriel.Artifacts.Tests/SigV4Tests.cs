using Apriel.Artifacts.S3;

namespace Apriel.Artifacts.Tests;

/// <summary>Our request signing against the worked examples of AWS's "Signature Version 4: Authenticating Requests (AWS S3)".</summary>
public sealed class SigV4Tests
{
    const string EmptyPayload = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    static readonly S3StoreOptions Example = new()
    {
        Endpoint = "examplebucket.s3.amazonaws.com",
        AccessKey = "AKIAIOSFODNN7EXAMPLE",
        SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        Bucket = "examplebucket",
    };

    static readonly DateTimeOffset May24 = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);

    static string Authorization(string path, string query, Dictionary<string, string> headers) =>
        SigV4.Sign("GET", "examplebucket.s3.amazonaws.com", path, query, headers, EmptyPayload, May24, Example)
            .Single(h => h.Key == "Authorization").Value;

    [Fact]
    public void Should_sign_a_ranged_get_as_the_aws_example_does()
    {
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            Authorization("/test.txt", "", new() { ["Range"] = "bytes=0-9" }));
    }

    [Fact]
    public void Should_sign_a_subresource_without_a_value_as_the_aws_example_does()
    {
        Assert.EndsWith("Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
            Authorization("/", "lifecycle", []));
    }

    [Fact]
    public void Should_sign_query_parameters_in_sorted_order_as_the_aws_example_does()
    {
        Assert.EndsWith("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
            Authorization("/", "prefix=J&max-keys=2", []));
    }

    [Fact]
    public void Should_send_the_date_payload_and_session_token_it_signed()
    {
        var withToken = new S3StoreOptions
        {
            Endpoint = Example.Endpoint, AccessKey = Example.AccessKey, SecretKey = Example.SecretKey, Bucket = Example.Bucket, SessionToken = "token",
        };

        var headers = SigV4.Sign("PUT", "h:9000", "/b/k", "partNumber=1&uploadId=x", new Dictionary<string, string>(), SigV4.UnsignedPayload, May24, withToken)
            .ToDictionary(h => h.Key, h => h.Value);

        Assert.Equal("20130524T000000Z", headers["x-amz-date"]);
        Assert.Equal("UNSIGNED-PAYLOAD", headers["x-amz-content-sha256"]);
        Assert.Equal("token", headers["x-amz-security-token"]);
        Assert.Contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,", headers["Authorization"]);
    }
}
