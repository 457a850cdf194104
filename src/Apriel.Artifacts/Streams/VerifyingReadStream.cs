using System.Security.Cryptography;

namespace Apriel.Artifacts.Streams;

/// <summary>
/// Passes a committed file through while hashing it, and at its end checks the size and sha256 recorded in the
/// manifest: a mismatch throws <see cref="ArtifactIntegrityException"/> naming the key and both digests instead of
/// returning end-of-stream, so a reader can never finish reading corrupt content without noticing. Owns the stream.
/// </summary>
public sealed class VerifyingReadStream(Stream inner, string key, long expectedSize, string expectedSha256) : ReadOnlyStream
{
    readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    long count;
    bool verified;

    public override long Length => expectedSize;

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        return Account(buffer, inner.Read(buffer));
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) return 0;
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Account(buffer.Span, n);
    }

    int Account(ReadOnlySpan<byte> buffer, int read)
    {
        if (read > 0)
        {
            hash.AppendData(buffer[..read]);
            count += read;
            if (count > expectedSize)
            {
                throw new ArtifactIntegrityException(key, $"\"{key}\" is longer than the {expectedSize} bytes its manifest records.");
            }
            return read;
        }
        if (!verified)
        {
            if (count != expectedSize)
            {
                throw new ArtifactIntegrityException(key, $"\"{key}\" has {count} bytes; its manifest records {expectedSize}.");
            }
            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (!string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArtifactIntegrityException(key,
                    $"\"{key}\" is corrupt: expected sha256:{expectedSha256.ToLowerInvariant()}, got sha256:{actual}.");
            }
            verified = true;
        }
        return 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hash.Dispose();
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        hash.Dispose();
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
