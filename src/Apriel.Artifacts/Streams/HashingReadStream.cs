using System.Security.Cryptography;

namespace Apriel.Artifacts.Streams;

/// <summary>
/// Computes the sha256 of what is read through it, so a file is hashed while it is uploaded (one pass over the
/// disk). Rewinding to the start (what a retried put does) restarts the hash; no other seek is allowed, so the
/// hash always covers exactly the bytes sent last.
/// </summary>
public sealed class HashingReadStream(Stream inner) : Stream
{
    readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    long count;

    /// <summary>Bytes hashed since the start (or the last rewind).</summary>
    public long BytesRead => count;

    public override bool CanRead => true;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;

    public override long Position
    {
        get => count;
        set
        {
            if (value != 0) throw new NotSupportedException("A hashing stream can only be rewound to its start.");
            inner.Position = 0;
            hash.GetHashAndReset();
            count = 0;
        }
    }

    /// <summary>Lowercase hex sha256 of the bytes read so far.</summary>
    public string Sha256Hex() => Convert.ToHexStringLower(hash.GetCurrentHash());

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        Account(buffer[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Account(buffer.Span[..n]);
        return n;
    }

    void Account(ReadOnlySpan<byte> data)
    {
        hash.AppendData(data);
        count += data.Length;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        if (offset != 0 || origin != SeekOrigin.Begin) throw new NotSupportedException("A hashing stream can only be rewound to its start.");
        Position = 0;
        return 0;
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hash.Dispose();
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
