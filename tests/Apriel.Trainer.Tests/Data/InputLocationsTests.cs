using Apriel.Trainer.Data;

namespace Apriel.Trainer.Tests.Data;

public sealed class InputLocationsTests
{
    [Theory]
    [InlineData("shapes/a.png", "s3://b/datasets/tiny/captions.jsonl", "s3://b/datasets/tiny/shapes/a.png")]
    [InlineData("../images/./a.png", "s3://b/datasets/tiny/captions.jsonl", "s3://b/datasets/images/a.png")]
    [InlineData("a.png", "s3://b/captions.jsonl", "s3://b/a.png")]
    [InlineData("s3://other/a.png", "s3://b/captions.jsonl", "s3://other/a.png")]
    [InlineData("file:///data/a.png", "s3://b/captions.jsonl", "file:///data/a.png")]
    [InlineData("shapes/a.png", "/data/tiny/captions.jsonl", "/data/tiny/shapes/a.png")]
    [InlineData("../a.png", "file:///data/tiny/captions.jsonl", "/data/a.png")]
    [InlineData("/images/a.png", "/data/tiny/captions.jsonl", "/images/a.png")]
    public void Should_resolve_a_reference_against_the_location_of_the_file_that_holds_it(string reference, string from, string expected)
    {
        Assert.Equal(expected, InputLocations.Resolve(reference, from));
    }

    [Fact]
    public void Should_refuse_a_reference_that_climbs_out_of_its_bucket()
    {
        Assert.Throws<ArgumentException>(() => InputLocations.Resolve("../../a.png", "s3://b/tiny/captions.jsonl"));
    }

    [Fact]
    public void Should_tell_remote_from_local_locations()
    {
        Assert.True(InputLocations.IsRemote("s3://b/x.jsonl"));
        Assert.False(InputLocations.IsRemote("file:///x.jsonl"));
        Assert.Equal("/data/x.jsonl", InputLocations.LocalPath("file:///data/x.jsonl"));
        Assert.Throws<NotSupportedException>(() => InputLocations.LocalPath("https://host/x.jsonl"));
    }
}
