namespace Apriel.Artifacts.Tests.Support;

/// <summary>
/// A forward-only source that yields <c>failAfter</c> bytes of <c>data</c> and then throws, like a process dying in
/// the middle of an upload. Not seekable, so a store cannot retry it.
/// </summary>
sealed class FailingStream(byte[] data, long failAfter) : Stream
{
    long position;

    public sealed class SimulatedCrash() : Exception("simulated crash in the middle of an upload");

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (position >= failAfter) throw new SimulatedCrash();
        var n = (int)Math.Min(count, Math.Min(failAfter, data.Length) - position);
        if (n <= 0) return 0;
        Array.Copy(data, position, buffer, offset, n);
        position += n;
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
