namespace Apriel.Artifacts.Streams;

/// <summary>
/// Yields exactly <c>length</c> bytes of a source stream. A source that ends early is refused with
/// <see cref="InvalidDataException"/> (a permanent error, never retried) so that a short object is never stored
/// under a size that promised more. Bytes after <c>length</c> are not read. An exception thrown by the source itself
/// is kept in <see cref="SourceError"/>, so a store can tell the caller's failure from its own.
/// </summary>
public sealed class ExactLengthStream(Stream source, long length) : ReadOnlyStream
{
    readonly long total = length;
    long remaining = length;

    public override long Length => total;

    /// <summary>What the source threw, if it threw.</summary>
    public Exception? SourceError { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        if (remaining == 0 || buffer.IsEmpty) return 0;
        int n;
        try
        {
            n = source.Read(buffer[..Clamp(buffer.Length)]);
        }
        catch (Exception e)
        {
            SourceError = e;
            throw;
        }
        return Account(n);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (remaining == 0 || buffer.IsEmpty) return 0;
        int n;
        try
        {
            n = await source.ReadAsync(buffer[..Clamp(buffer.Length)], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            SourceError = e;
            throw;
        }
        return Account(n);
    }

    int Clamp(int wanted) => (int)Math.Min(wanted, remaining);

    int Account(int read)
    {
        if (read == 0)
        {
            throw new InvalidDataException($"The source stream ended after {total - remaining} of the {total} bytes announced.");
        }
        remaining -= read;
        return read;
    }
}
