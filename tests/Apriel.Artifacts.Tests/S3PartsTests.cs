using Apriel.Artifacts.S3;

namespace Apriel.Artifacts.Tests;

public sealed class S3PartsTests
{
    const int MiB = 1024 * 1024;

    [Theory]
    [InlineData(0L, 1)]
    [InlineData(16L * MiB, 1)]
    [InlineData(16L * MiB + 1, 2)]
    [InlineData(100L * MiB, 7)]
    public void Should_cut_an_upload_into_parts_of_the_preferred_size(long length, int count)
    {
        Assert.Equal((16 * MiB, count), S3Parts.Plan(length, 16 * MiB));
    }

    [Fact]
    public void Should_grow_parts_in_whole_mib_when_there_would_be_more_than_10000()
    {
        const long length = 1L << 40; // 1 TiB: 65,536 parts of 16 MiB

        var (size, count) = S3Parts.Plan(length, 16 * MiB);

        Assert.Equal(105 * MiB, size);
        Assert.True(count <= S3Parts.MaxParts);
        Assert.Equal(length - (long)(count - 1) * size, S3Parts.SizeOf(length, size, count - 1));
    }

    [Fact]
    public void Should_refuse_parts_smaller_than_s3_allows()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => S3Parts.Plan(100, 1 * MiB));
    }
}
