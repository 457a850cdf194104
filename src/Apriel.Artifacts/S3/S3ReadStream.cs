using System.Buffers;
using Apriel.Artifacts.Streams;

namespace Apriel.Artifacts.S3;

/// <summary>
/// The body of an S3 GET. If the connection breaks mid-body (a reset, a timeout), it re-requests the rest with a
/// ranged GET pinned to the object's ETag (If-Match), so a multi-gigabyte download survives a hiccup and can never
/// splice two versions of an object together. Its Length is the number of bytes it yields.
/// </summary>
sealed class S3ReadStream : ReadOnlyStream
{
    readonly S3ArtifactStore store;
    readonly string key;
    readonly long start;
    readonly long length;
    readonly string? etag;
    S3ArtifactStore.Response current;
    long position;
    int resumes;

    public S3ReadStream(S3ArtifactStore store, string key, long start, S3ArtifactStore.Response first)
    {
        this.store = store;
        this.key = key;
        this.start = start;
        length = first.Length;
        etag = first.ETag;
        current = first;
    }

    public override long Length => length;

    public override int Read(Span<byte> buffer)
    {
        // Sync callers get the same resume logic through the async path.
        var rented = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length, 1 << 20));
        try
        {
            var n = ReadAsync(rented.AsMemory(0, Math.Min(buffer.Length, rented.Length)), CancellationToken.None).AsTask().GetAwaiter().GetResult();
            rented.AsSpan(0, n).CopyTo(buffer);
            return n;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var remaining = length - position;
            if (remaining == 0 || buffer.IsEmpty) return 0;
            try
            {
                var n = await ReadWithinStallTimeoutAsync(buffer[..(int)Math.Min(buffer.Length, remaining)], cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new IOException($"The connection ended after {position} of {length} bytes of \"{key}\".");
                }
                position += n;
                return n;
            }
            catch (Exception e) when (CanResume(e, cancellationToken))
            {
                resumes++;
                current.Dispose();
                await store.Retry.Delay(store.Retry.BackoffFor(resumes), cancellationToken).ConfigureAwait(false);
                current = await store.GetAsync(key, start + position, length - position, etag, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    async ValueTask<int> ReadWithinStallTimeoutAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stall.CancelAfter(store.ReadStallTimeout);
        try
        {
            return await current.Body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"\"{key}\" sent nothing for {store.ReadStallTimeout} after {position} of {length} bytes.", e);
        }
    }

    bool CanResume(Exception e, CancellationToken cancellationToken) =>
        etag is not null && resumes < store.Retry.MaxAttempts - 1
        && !cancellationToken.IsCancellationRequested && store.Retry.IsTransient(e);

    protected override void Dispose(bool disposing)
    {
        if (disposing) current.Dispose();
        base.Dispose(disposing);
    }
}
