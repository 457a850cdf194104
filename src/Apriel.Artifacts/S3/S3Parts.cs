namespace Apriel.Artifacts.S3;

/// <summary>How an upload is cut into parts: S3 allows 10,000 parts of at least 5 MiB each (the last excepted).</summary>
static class S3Parts
{
    public const int MaxParts = 10_000;
    public const int MinPartSize = 5 * 1024 * 1024;
    const long MiB = 1024 * 1024;

    /// <summary>
    /// The part size and count for <paramref name="length"/> bytes: parts of <paramref name="preferredSize"/>, grown in
    /// whole MiB when that would take more than 10,000.
    /// </summary>
    public static (int Size, int Count) Plan(long length, int preferredSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (preferredSize < MinPartSize) throw new ArgumentOutOfRangeException(nameof(preferredSize), $"a part is at least {MinPartSize} bytes");
        var size = Math.Max(preferredSize, (length + MaxParts * MiB - 1) / (MaxParts * MiB) * MiB);
        return ((int)size, (int)Math.Max(1, (length + size - 1) / size));
    }

    /// <summary>Bytes in part <paramref name="index"/> (0-based) of a plan for <paramref name="length"/> bytes.</summary>
    public static int SizeOf(long length, int partSize, int index) => (int)Math.Min(partSize, length - (long)index * partSize);
}
