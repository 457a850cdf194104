using System.Net;
using System.Text;

namespace Apriel.Artifacts.Tests.Support;

/// <summary>
/// The HTTP transport of an S3 store under test: passes requests to s3rver, but can answer the next few itself
/// with an error, or cut the body of the next GET after some bytes, and records what was sent.
/// </summary>
sealed class FaultInjectingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    readonly object gate = new();
    int failNext;
    int skipBeforeFailing;
    HttpStatusCode failStatus;
    string? failCode;
    long? cutNextGetAfter;
    bool stallInsteadOfCut;

    /// <summary>Method, path and Range/If-Match headers of every request that reached this handler.</summary>
    public List<string> Requests { get; } = [];

    /// <summary>Answer the next <paramref name="count"/> requests with <paramref name="status"/> and an S3 error body.</summary>
    public void FailNext(int count, HttpStatusCode status, string code) => FailAfter(0, count, status, code);

    /// <summary>Pass <paramref name="skip"/> requests, then answer <paramref name="count"/> with an error.</summary>
    public void FailAfter(int skip, int count, HttpStatusCode status, string code)
    {
        lock (gate) (skipBeforeFailing, failNext, failStatus, failCode) = (skip, count, status, code);
    }

    /// <summary>Let the next GET's body break (connection reset) after <paramref name="bytes"/> bytes.</summary>
    public void CutNextGetAfter(long bytes)
    {
        lock (gate) (cutNextGetAfter, stallInsteadOfCut) = (bytes, false);
    }

    /// <summary>Let the next GET's body go silent (send nothing more, keep the connection) after <paramref name="bytes"/> bytes.</summary>
    public void StallNextGetAfter(long bytes)
    {
        lock (gate) (cutNextGetAfter, stallInsteadOfCut) = (bytes, true);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpStatusCode? fail = null;
        string? code = null;
        long? cut = null;
        var stall = false;
        lock (gate)
        {
            var part = request.RequestUri!.Query.Contains("partNumber=", StringComparison.Ordinal) ? " part" : "";
            Requests.Add($"{request.Method} {request.RequestUri.AbsolutePath}{part} range={request.Headers.Range} if-match={string.Join(",", request.Headers.IfMatch)}");
            if (skipBeforeFailing > 0)
            {
                skipBeforeFailing--;
            }
            else if (failNext > 0)
            {
                failNext--;
                (fail, code) = (failStatus, failCode);
            }
            else if (request.Method == HttpMethod.Get && cutNextGetAfter is not null && request.RequestUri.Query.Contains("X-Amz-Signature", StringComparison.Ordinal))
            {
                (cut, stall, cutNextGetAfter) = (cutNextGetAfter, stallInsteadOfCut, null);
            }
        }
        if (fail is { } status)
        {
            var body = request.Method == HttpMethod.Head ? "" :
                $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>injected</Message></Error>";
            return new HttpResponseMessage(status) { RequestMessage = request, Content = new StringContent(body, Encoding.UTF8, "application/xml") };
        }
        var response = await base.SendAsync(request, cancellationToken);
        if (cut is { } after)
        {
            var original = response.Content;
            var content = new StreamContent(new BreakingStream(await original.ReadAsStreamAsync(cancellationToken), after, stall));
            foreach (var header in original.Headers) content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            response.Content = content;
        }
        return response;
    }

    /// <summary>Passes <c>limit</c> bytes, then fails like a reset connection, or goes silent until cancelled.</summary>
    sealed class BreakingStream(Stream inner, long limit, bool stall) : Stream
    {
        long passed;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => passed; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (passed >= limit && stall) await Task.Delay(Timeout.Infinite, cancellationToken);
            if (passed >= limit) throw new IOException("injected: connection reset by peer");
            var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, limit - passed)], cancellationToken);
            passed += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (passed >= limit) throw new IOException("injected: connection reset by peer");
            var n = inner.Read(buffer, offset, (int)Math.Min(count, limit - passed));
            passed += n;
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
