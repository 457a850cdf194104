using System.Text;
using System.Text.Json;
using Apriel.Api.Runs;

namespace Apriel.Artifacts.Tests;

public sealed class ManifestJsonTests
{
    static ArtifactManifest Sample(params ArtifactFile[] files) => new()
    {
        Files = files,
        Lineage = new ArtifactLineage { Kind = "ModelMerge", Namespace = "ns", Name = "merge", RunId = "abc123" },
        Config = JsonDocument.Parse("{\"method\":\"linear\"}").RootElement,
        Created = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
    };

    static ArtifactFile File(string path) => new() { Path = path, Size = 3, Sha256 = new string('a', 64) };

    [Fact]
    public void Should_serialise_deterministically_with_files_sorted()
    {
        var a = ManifestJson.Serialize(Sample(File("b"), File("a/x"), File("A")));
        var b = ManifestJson.Serialize(Sample(File("A"), File("b"), File("a/x")));

        Assert.Equal(a, b);
        Assert.Equal(ArtifactDigest.Of(a), ArtifactDigest.Of(b));
        var parsed = ManifestJson.Parse(a, "k");
        Assert.Equal(["A", "a/x", "b"], parsed.Files.Select(f => f.Path));
        Assert.Equal("linear", parsed.Config!.Value.GetProperty("method").GetString());
        Assert.Contains("\"runId\": \"abc123\"", Encoding.UTF8.GetString(a));
    }

    [Fact]
    public void Should_refuse_a_file_listed_twice()
    {
        var bytes = ManifestJson.Serialize(Sample(File("a"), File("a")));

        var error = Assert.Throws<ArtifactIntegrityException>(() => ManifestJson.Parse(bytes, "dir/MANIFEST.json"));

        Assert.Contains("listed twice", error.Message);
    }

    [Fact]
    public void Should_format_digests()
    {
        var digest = ArtifactDigest.Of("{}"u8);

        Assert.True(ArtifactDigest.IsWellFormed(digest));
        Assert.Equal("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", digest);
        Assert.False(ArtifactDigest.IsWellFormed("sha256:xyz"));
        Assert.False(ArtifactDigest.IsWellFormed("md5:" + new string('a', 64)));
    }
}
