using System.Buffers;
using System.Runtime.ExceptionServices;
using Apriel.Artifacts.Streams;

namespace Apriel.Artifacts.S3;

/// <summary>
/// Puts, in our own requests (<see cref="S3Requests"/>). The source is read once, front to back, into pooled buffers
/// before any byte of it is sent, so a source that fails stores nothing and every request retries transient failures
/// from memory (a non-seekable source too). An object up to <see cref="S3StoreOptions.UploadMemory"/> is one PUT: one
/// request and nothing to assemble. A larger one is a multipart upload of <see cref="S3Parts"/>, with up to
/// <see cref="S3StoreOptions.UploadParallelism"/> parts in flight while the next is read, so memory stays within
/// UploadMemory whatever the size; a failed one is aborted, so no parts linger and nothing appears under the key.
/// </summary>
public sealed partial class S3ArtifactStore
{
    public async Task PutAsync(string key, Stream content, long length, CancellationToken cancellationToken = default)
    {
        ArtifactKeys.Validate(key);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var source = new ExactLengthStream(content, length);
        if (length > options.UploadMemory)
        {
            await PutInPartsAsync(key, source, length, cancellationToken).ConfigureAwait(false);
            return;
        }
        var buffer = await ReadPartAsync(source, length, (int)length, 0, cancellationToken).ConfigureAwait(false);
        try
        {
            await RunAsync("PUT", key, Retry, async (_, ct) =>
            {
                await requests.PutObjectAsync(FullKey(key), buffer.AsMemory(0, (int)length), ct).ConfigureAwait(false);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    async Task PutInPartsAsync(string key, Stream source, long length, CancellationToken cancellationToken)
    {
        var (partSize, count) = S3Parts.Plan(length, options.UploadPartSize);
        var fullKey = FullKey(key);
        var uploadId = await RunAsync("PUT", key, Retry, (_, ct) => requests.CreateMultipartUploadAsync(fullKey, ct), cancellationToken)
            .ConfigureAwait(false);
        try
        {
            var etags = await UploadPartsAsync(key, uploadId, source, length, partSize, count, cancellationToken)
                .ConfigureAwait(false);
            await RunAsync("PUT", key, Retry, async (_, ct) =>
            {
                await requests.CompleteMultipartUploadAsync(fullKey, uploadId, etags, ct).ConfigureAwait(false);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await AbortAsync(fullKey, uploadId).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Reads and sends every part, a few at once; returns their ETags in order. On a failure, waits for the parts in flight.</summary>
    async Task<string[]> UploadPartsAsync(string key, string uploadId, Stream source, long length, int partSize, int count, CancellationToken cancellationToken)
    {
        var etags = new string[count];
        var sending = new List<Task>();
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var slots = new SemaphoreSlim(options.UploadParallelism);
        try
        {
            for (var index = 0; index < count; index++)
            {
                await slots.WaitAsync(failed.Token).ConfigureAwait(false);
                byte[] buffer;
                try
                {
                    buffer = await ReadPartAsync(source, length, partSize, index, failed.Token).ConfigureAwait(false);
                }
                catch
                {
                    slots.Release();
                    throw;
                }
                sending.Add(SendPartAsync(key, uploadId, index, buffer, S3Parts.SizeOf(length, partSize, index), etags, slots, failed));
            }
            await Task.WhenAll(sending).ConfigureAwait(false);
            return etags;
        }
        catch (Exception error)
        {
            failed.Cancel();
            // Buffers go back to the pool only once their requests are done with them.
            var partError = await FirstErrorAsync(sending).ConfigureAwait(false);
            // The reader sees only the cancellation a failed part caused; the part's error is the one to report.
            if (error is OperationCanceledException && !cancellationToken.IsCancellationRequested && partError is not null)
            {
                ExceptionDispatchInfo.Throw(partError);
            }
            throw;
        }
    }

    async Task SendPartAsync(string key, string uploadId, int index, byte[] buffer, int size, string[] etags, SemaphoreSlim slots,
        CancellationTokenSource failed)
    {
        try
        {
            etags[index] = await RunAsync("PUT", $"{key} (part {index + 1})", Retry,
                (_, ct) => requests.UploadPartAsync(FullKey(key), uploadId, index + 1, buffer.AsMemory(0, size), ct), failed.Token)
                .ConfigureAwait(false);
        }
        catch
        {
            failed.Cancel(); // stop reading and sending: the upload is lost
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            slots.Release();
        }
    }

    /// <summary>Part <paramref name="index"/> of the source in a pooled buffer (the caller returns it).</summary>
    static async Task<byte[]> ReadPartAsync(Stream source, long length, int partSize, int index, CancellationToken cancellationToken)
    {
        var size = S3Parts.SizeOf(length, partSize, index);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        try
        {
            await source.ReadExactlyAsync(buffer.AsMemory(0, size), cancellationToken).ConfigureAwait(false);
            return buffer;
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>Waits for every task; the first error that is not a cancellation, if any.</summary>
    static async Task<Exception?> FirstErrorAsync(IReadOnlyList<Task> tasks)
    {
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Collected below: the tasks themselves hold their errors.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        return tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!)
            .FirstOrDefault(e => e is not OperationCanceledException);
    }

    /// <summary>
    /// Drops a failed multipart upload's parts (stored, billed, invisible). Best effort with a short deadline: the put's
    /// own error is what the caller needs, and a bucket lifecycle rule that aborts stale uploads is the backstop.
    /// </summary>
    async Task AbortAsync(string fullKey, string uploadId)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await requests.AbortMultipartUploadAsync(fullKey, uploadId, deadline.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Any failure here must not hide the put's error.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
