namespace Apriel.Artifacts.Streams;

/// <summary>
/// A byte range of a stream that is already positioned at the range's start; owns the stream. Its Length is the
/// range's length; reading stops at the range's end.
/// </summary>
public sealed class WindowStream(Stream inner, long length) : ReadOnlyStream
{
    readonly long total = length;
    long remaining = length;

    public override long Length => total;

    public override int Read(Span<byte> buffer)
    {
        if (remaining == 0 || buffer.IsEmpty) return 0;
        var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, remaining)]);
        remaining -= n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (remaining == 0 || buffer.IsEmpty) return 0;
        var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, remaining)], cancellationToken).ConfigureAwait(false);
        remaining -= n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
