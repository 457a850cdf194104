namespace Apriel.Artifacts.Tests.Support;

/// <summary>
/// A store whose <c>crashOnPut</c>-th put (1-based) dies after <c>afterBytes</c> bytes of its content, like a
/// trainer killed in the middle of an upload; every other call goes straight to the real store.
/// </summary>
sealed class CrashingStore(IArtifactStore inner, int crashOnPut, long afterBytes) : IArtifactStore
{
    int puts;

    public string Root => inner.Root;

    public Task PutAsync(string key, Stream content, long length, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Increment(ref puts) != crashOnPut) return inner.PutAsync(key, content, length, cancellationToken);
        return inner.PutAsync(key, new CrashAfter(content, afterBytes), length, cancellationToken);
    }

    public Task<Stream> OpenReadAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default) =>
        inner.OpenReadAsync(key, offset, length, cancellationToken);

    public Task<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default) => inner.GetSizeAsync(key, cancellationToken);

    public Task<IReadOnlyList<ArtifactObject>> ListAsync(string prefix, CancellationToken cancellationToken = default) =>
        inner.ListAsync(prefix, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

    public Task<int> DeleteDirectoryAsync(string directory, CancellationToken cancellationToken = default) =>
        inner.DeleteDirectoryAsync(directory, cancellationToken);

    public void Dispose() { }

    /// <summary>Reads through to <c>source</c>, then throws once <c>limit</c> bytes have passed. Not seekable: no retry.</summary>
    sealed class CrashAfter(Stream source, long limit) : Stream
    {
        long passed;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => passed; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (passed >= limit) throw new FailingStream.SimulatedCrash();
            var n = source.Read(buffer, offset, (int)Math.Min(count, limit - passed));
            passed += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
