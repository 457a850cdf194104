using Apriel.Artifacts;

namespace Apriel.Testing;

/// <summary>
/// A store that records the keys put into it, in order, and can make the put of one key die after some bytes of its
/// content, like a process killed in the middle of an upload; everything else goes straight to the real store.
/// </summary>
public sealed class InterceptingStore(IArtifactStore inner) : IArtifactStore
{
    private readonly List<string> puts = [];

    /// <summary>The key whose put dies, and after how many bytes.</summary>
    public (string Key, long AfterBytes)? Crash { get; init; }

    public IReadOnlyList<string> Puts
    {
        get
        {
            lock (puts) return [.. puts];
        }
    }

    public string Root => inner.Root;

    public Task PutAsync(string key, Stream content, long length, CancellationToken cancellationToken = default)
    {
        lock (puts) puts.Add(key);
        return Crash is { } crash && crash.Key == key
            ? inner.PutAsync(key, new DyingStream(content, crash.AfterBytes), length, cancellationToken)
            : inner.PutAsync(key, content, length, cancellationToken);
    }

    public Task<Stream> OpenReadAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default) =>
        inner.OpenReadAsync(key, offset, length, cancellationToken);

    public Task<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default) => inner.GetSizeAsync(key, cancellationToken);

    public Task<IReadOnlyList<ArtifactObject>> ListAsync(string prefix, CancellationToken cancellationToken = default) =>
        inner.ListAsync(prefix, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

    public Task<int> DeleteDirectoryAsync(string directory, CancellationToken cancellationToken = default) =>
        inner.DeleteDirectoryAsync(directory, cancellationToken);

    public void Dispose() => inner.Dispose();
}

/// <summary>What a <see cref="DyingStream"/> throws: an I/O error, which stores count as transient, yet must not retry.</summary>
public sealed class SimulatedCrash() : IOException("simulated crash in the middle of an upload");

/// <summary>
/// Reads through to <paramref name="source"/>, then throws <see cref="SimulatedCrash"/> once <paramref name="limit"/>
/// bytes have passed. Forward-only, like a pipe from a dying process: a store cannot rewind it to retry.
/// </summary>
public sealed class DyingStream(Stream source, long limit) : Stream
{
    private long passed;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => passed; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (passed >= limit) throw new SimulatedCrash();
        var n = source.Read(buffer, offset, (int)Math.Min(count, limit - passed));
        passed += n;
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
