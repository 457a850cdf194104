using System.Security.Cryptography;
using Apriel.Api.Runs;
using Apriel.Artifacts;

namespace Apriel.Trainer.Merging;

/// <summary>
/// One file of a committed input, read by byte ranges through its store (a local directory or S3) and verified against
/// its manifest entry. Reads in offset order share one open stream (one S3 GET for the whole file) and feed the sha256
/// as they go, so a file read front to back is read once; a read ahead of what has been hashed first reads the gap
/// through the hash, and a read behind it opens a new stream (those bytes are read twice). <see cref="Finish"/> hashes
/// whatever was never read and refuses the file unless size and sha256 are the manifest's. Not thread-safe: one reader.
/// </summary>
public sealed class VerifiedFile(IArtifactStore store, string key, ArtifactFile entry) : IDisposable
{
    const int GapChunk = 1 << 20;

    readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    Stream? stream;
    long position; // of the open stream
    long hashed;   // bytes [0, hashed) are in the hash

    /// <summary>Its size as the manifest records it.</summary>
    public long Size => entry.Size;

    /// <summary>Where it is, for messages.</summary>
    public string Location => store.Root + key;

    /// <summary>Fills <paramref name="destination"/> with the bytes at <paramref name="offset"/>.</summary>
    public void Read(long offset, Span<byte> destination)
    {
        if (offset < 0 || offset + destination.Length > Size)
            throw new ArtifactIntegrityException(key, $"{Location}: a read of [{offset}, {offset + destination.Length}) lies outside its {Size} bytes");
        if (offset > hashed) HashUpTo(offset);
        Seek(offset);
        ReadExactly(destination);
    }

    /// <summary>Hashes the rest of the file and refuses it unless it is what the manifest says.</summary>
    public void Finish()
    {
        HashUpTo(Size);
        var actual = Convert.ToHexStringLower(hash.GetCurrentHash());
        if (!string.Equals(actual, entry.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new ArtifactIntegrityException(key, $"{Location}: sha256 is {actual}, but its MANIFEST.json records {entry.Sha256}");
    }

    void HashUpTo(long target)
    {
        if (target <= hashed) return;
        Seek(hashed);
        var buffer = new byte[(int)Math.Min(GapChunk, Math.Max(1, target - hashed))];
        while (hashed < target) ReadExactly(buffer.AsSpan(0, (int)Math.Min(buffer.Length, target - hashed)));
    }

    void Seek(long offset)
    {
        if (stream is not null && position == offset) return;
        stream?.Dispose();
        stream = null;
        position = offset;
        if (offset < Size) stream = store.OpenReadAsync(key, offset, Size - offset).GetAwaiter().GetResult();
    }

    void ReadExactly(Span<byte> destination)
    {
        if (destination.IsEmpty) return;
        try
        {
            stream!.ReadExactly(destination);
        }
        catch (EndOfStreamException)
        {
            throw new ArtifactIntegrityException(key, $"{Location}: shorter than the {Size} bytes its MANIFEST.json records");
        }
        // The part of these bytes past what is hashed extends the hash (reads start at or before it).
        var fresh = position + destination.Length - hashed;
        if (fresh > 0) hash.AppendData(destination[^(int)fresh..]);
        hashed = Math.Max(hashed, position + destination.Length);
        position += destination.Length;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        stream?.Dispose();
        hash.Dispose();
    }
}
