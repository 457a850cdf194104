using System.Security.Cryptography;
using Apriel.Api.Runs;
using Apriel.Artifacts;
using Apriel.Trainer.Merging;

namespace Apriel.Trainer.Tests.Merging;

public sealed class VerifiedFileTests : IDisposable
{
    readonly TempDir dir = new();
    readonly byte[] content = new byte[3_000_000];

    public VerifiedFileTests()
    {
        new Random(4).NextBytes(content);
        File.WriteAllBytes(dir.File("f.bin"), content);
    }

    public void Dispose() => dir.Dispose();

    VerifiedFile Open(string? sha256 = null) => new(new LocalArtifactStore(dir.Path), "f.bin",
        new ArtifactFile { Path = "f.bin", Size = content.Length, Sha256 = sha256 ?? Convert.ToHexStringLower(SHA256.HashData(content)) });

    [Fact]
    public void Should_read_ranges_in_any_order_and_verify_the_whole_file()
    {
        using var file = Open();
        // Ahead (a gap to hash), behind (re-read), overlapping what is hashed, and in order.
        foreach (var (offset, length) in new[] { (2_000_000L, 1000), (10L, 50_000), (1_999_000L, 2000), (2_001_000L, 999_000) })
        {
            var buffer = new byte[length];
            file.Read(offset, buffer);
            Assert.Equal(content.AsSpan((int)offset, length).ToArray(), buffer);
        }

        file.Finish();
    }

    [Fact]
    public void Should_refuse_a_file_whose_sha256_is_not_the_manifests()
    {
        using var file = Open(sha256: new string('0', 64));
        file.Read(0, new byte[100]);

        var e = Assert.Throws<ArtifactIntegrityException>(file.Finish);

        Assert.Contains("f.bin: sha256 is ", e.Message);
    }
}
