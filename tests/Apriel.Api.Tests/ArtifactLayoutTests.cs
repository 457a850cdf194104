using Apriel.Api.Runs;

namespace Apriel.Api.Tests;

public sealed class ArtifactLayoutTests
{
    [Fact]
    public void Paths_follow_the_design_layout()
    {
        Assert.Equal("team-a/cpt-1/0123456789ab/", ArtifactLayout.Run("team-a", "cpt-1", "0123456789ab"));
        Assert.Equal("checkpoints/step-0001500/", ArtifactLayout.Checkpoint(1500));
    }

    [Theory]
    [InlineData("s3://data/x.jsonl", "s3://data/x.jsonl")]
    [InlineData("file:///srv/x.jsonl", "file:///srv/x.jsonl")]
    [InlineData("datasets/tiny/text.jsonl", "s3://bucket/apriel/datasets/tiny/text.jsonl")]
    public void Relative_uris_resolve_against_the_store_root(string uri, string expected) =>
        Assert.Equal(expected, ArtifactLayout.Resolve("s3://bucket/apriel/", uri));

    [Fact]
    public void Uris_that_climb_out_of_the_store_are_refused() =>
        Assert.Throws<ArgumentException>(() => ArtifactLayout.Resolve("s3://bucket/apriel/", "datasets/../../secrets"));
}
