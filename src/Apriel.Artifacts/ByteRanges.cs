namespace Apriel.Artifacts;

/// <summary>The rules of ranged reads, shared by every store so they refuse the same ranges.</summary>
static class ByteRanges
{
    /// <summary>Offset ≥ 0; a length, when given, ≥ 1 (an empty range has no HTTP form).</summary>
    public static void Check(long offset, long? length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is { } n) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n, nameof(length));
    }

    /// <summary>
    /// A whole read (offset 0, no length) always fits; otherwise the range must lie within the object, as S3 would
    /// refuse a range starting past the end (416) and we refuse one that ends past it rather than return less.
    /// </summary>
    public static void CheckWithin(string root, string key, long offset, long? length, long size)
    {
        var fits = length is { } n ? offset + n <= size : offset == 0 || offset < size;
        if (!fits)
        {
            throw new ArgumentOutOfRangeException(nameof(offset),
                $"Byte range [{offset}, {(length is { } m ? (offset + m).ToString(System.Globalization.CultureInfo.InvariantCulture) : "end")}) " +
                $"does not lie within \"{key}\" ({size} bytes) in {root}.");
        }
    }
}
