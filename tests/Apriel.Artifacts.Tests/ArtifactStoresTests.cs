using Apriel.Artifacts.S3;
using Apriel.Testing;

namespace Apriel.Artifacts.Tests;

public sealed class ArtifactStoresTests
{
    const string Secret = "very-secret-value";

    static Func<string, string?> Env(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return name => map.GetValueOrDefault(name);
    }

    static readonly Func<string, string?> Credentials = Env(
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"), ("AWS_SECRET_ACCESS_KEY", Secret));

    [Fact]
    public void Should_read_s3_settings_from_the_uri_and_the_environment()
    {
        var options = ArtifactStores.S3Options("s3://bucket/some/prefix", Env(
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"), ("AWS_SECRET_ACCESS_KEY", Secret), ("AWS_SESSION_TOKEN", "tok"),
            ("APRIEL_S3_ENDPOINT", "minio.storage:9000"), ("APRIEL_S3_INSECURE", "true"), ("AWS_REGION", "eu-west-1")));

        Assert.Equal("bucket", options.Bucket);
        Assert.Equal("some/prefix/", options.Prefix);
        Assert.Equal("minio.storage:9000", options.Endpoint);
        Assert.False(options.Secure);
        Assert.Equal("eu-west-1", options.Region);
        Assert.Equal("tok", options.SessionToken);
        Assert.Equal("s3://bucket/some/prefix/", options.Root);
        Assert.DoesNotContain(Secret, options.ToString());
    }

    [Fact]
    public void Should_default_to_aws_over_tls()
    {
        var options = ArtifactStores.S3Options("s3://bucket/", Credentials);

        Assert.Equal("s3.amazonaws.com", options.Endpoint);
        Assert.True(options.Secure);
        Assert.Equal("us-east-1", options.Region);
        Assert.Equal("", options.Prefix);
    }

    [Theory]
    [InlineData("http://127.0.0.1:9000", "127.0.0.1:9000", false)]
    [InlineData("https://s3.example.com", "s3.example.com", true)]
    public void Should_take_tls_from_an_endpoint_url(string endpoint, string hostAndPort, bool secure)
    {
        var options = ArtifactStores.S3Options("s3://b/", Env(
            ("AWS_ACCESS_KEY_ID", "a"), ("AWS_SECRET_ACCESS_KEY", "s"), ("APRIEL_S3_ENDPOINT", endpoint)));

        Assert.Equal(hostAndPort, options.Endpoint);
        Assert.Equal(secure, options.Secure);
    }

    [Fact]
    public void Should_name_a_missing_variable_but_never_a_value()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            ArtifactStores.Open("s3://bucket/p/", Env(("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"))));

        Assert.Contains("AWS_SECRET_ACCESS_KEY", error.Message);
        Assert.DoesNotContain("AKIDEXAMPLE", error.Message);
    }

    [Theory]
    [InlineData("s3:///prefix/")]
    [InlineData("s3://bucket/../x/")]
    [InlineData("http://example.com/")]
    [InlineData("file://host/share/")]
    [InlineData("relative/path")]
    public void Should_refuse_malformed_roots(string root) =>
        Assert.Throws<ArgumentException>(() => ArtifactStores.Open(root, Credentials));

    [Fact]
    public void Should_open_a_local_directory_from_a_file_uri()
    {
        using var directory = TestDirectory.Create("artifacts-factory");

        using var store = ArtifactStores.Open(new Uri(directory.FullPath + "/").AbsoluteUri);

        var local = Assert.IsType<LocalArtifactStore>(store);
        Assert.Equal(directory.FullPath, local.RootPath);
        Assert.Equal(new Uri(directory.FullPath + "/").AbsoluteUri, store.Root);
    }

    [Fact]
    public void Should_open_an_s3_store()
    {
        using var store = ArtifactStores.Open("s3://bucket/runs/", Credentials);

        Assert.IsType<S3ArtifactStore>(store);
        Assert.Equal("s3://bucket/runs/", store.Root);
    }

    [Fact]
    public void Should_find_the_key_of_an_absolute_uri_inside_a_store()
    {
        using var store = ArtifactStores.Open("s3://bucket/runs/", Credentials);

        Assert.Equal("ns/stage/abc/model/", ArtifactStores.KeyIn(store, "s3://bucket/runs/ns/stage/abc/model/"));
        Assert.Throws<ArgumentException>(() => ArtifactStores.KeyIn(store, "s3://other/runs/ns/"));
        Assert.Throws<ArgumentException>(() => ArtifactStores.KeyIn(store, "s3://bucket/runs/../secrets/"));
        Assert.Throws<ArgumentException>(() => ArtifactStores.KeyIn(store, "s3://bucket/runs/"));
    }

    [Theory]
    [InlineData("s3://bucket/p/ns/x/run/model/", "s3://bucket/", "p/ns/x/run/model/")]
    [InlineData("s3://bucket/datasets/tiny/text.jsonl", "s3://bucket/", "datasets/tiny/text.jsonl")]
    [InlineData("s3://bucket/", "s3://bucket/", "")]
    [InlineData("file:///data/runs/ns/x/run/model/", "file:///data/runs/ns/x/run/", "model/")]
    [InlineData("file:///data/runs/ns/x/run/model", "file:///data/runs/ns/x/run/", "model")]
    [InlineData("file:///data/my%20runs/model/", "file:///data/my%20runs/", "model/")]
    public void Should_locate_the_store_and_key_of_an_artifact_uri(string uri, string root, string key)
    {
        Assert.Equal((root, key), ArtifactStores.Locate(uri));
    }

    [Theory]
    [InlineData("s3://bucket/runs/../secrets/")]
    [InlineData("s3:///key")]
    [InlineData("s3://bucket")]
    [InlineData("file:///model/")]
    [InlineData("/data/runs/model/")]
    [InlineData("https://host/model/")]
    public void Should_refuse_to_locate_what_is_not_an_artifact_uri(string uri)
    {
        Assert.Throws<ArgumentException>(() => ArtifactStores.Locate(uri));
    }
}
