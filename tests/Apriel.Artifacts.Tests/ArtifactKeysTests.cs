namespace Apriel.Artifacts.Tests;

public sealed class ArtifactKeysTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("ns/stage/run/checkpoints/step-0000100/model.safetensors")]
    [InlineData(".hidden/file")]
    [InlineData("a/..b/c..")]
    [InlineData("with space/and=equals")]
    public void Should_accept_relative_keys(string key) => Assert.Equal(key, ArtifactKeys.Validate(key));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("/abs", "absolute")]
    [InlineData("a\\b", "backslash")]
    [InlineData("a//b", "empty segment")]
    [InlineData("a/", "empty segment")]
    [InlineData("./a", "\".\" segment")]
    [InlineData("a/../b", "\"..\" segment")]
    [InlineData("..", "\"..\" segment")]
    [InlineData("a\tb", "control character")]
    [InlineData(".apriel-staging/x", "reserved")]
    public void Should_refuse_keys_naming_the_key_and_the_reason(string key, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => ArtifactKeys.Validate(key));

        Assert.Contains(reason, error.Message);
        Assert.Contains($"\"{key.Replace('\t', '?')}\"", error.Message);
        Assert.False(ArtifactKeys.IsValid(key));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/")]
    [InlineData("a/b")]
    [InlineData("checkpoints/step-")]
    public void Should_accept_listing_prefixes(string prefix) => ArtifactKeys.ValidatePrefix(prefix);

    [Theory]
    [InlineData("/")]
    [InlineData("../")]
    [InlineData("a//")]
    [InlineData("a/../")]
    public void Should_refuse_listing_prefixes_that_escape(string prefix) =>
        Assert.Throws<ArgumentException>(() => ArtifactKeys.ValidatePrefix(prefix));

    [Fact]
    public void Should_join_directories_and_relative_paths()
    {
        Assert.Equal("a/b/c", ArtifactKeys.Join("a/b/", "c"));
        Assert.Equal("a/b/c", ArtifactKeys.Join("a/b", "c"));
        Assert.Equal("c", ArtifactKeys.Join("", "c"));
        Assert.Throws<ArgumentException>(() => ArtifactKeys.Join("a/", "../../x"));
    }
}
