using System.Collections.Concurrent;
using Apriel.Trainer.Checkpoints;
using Apriel.Trainer.Merging.Methods;
using static TorchSharp.torch;

namespace Apriel.Trainer.Merging;

/// <summary>
/// Runs a <see cref="MergePlan"/>: output tensor by output tensor, and for elementwise methods slice by slice, it reads
/// the source tensors, merges them (in float32) and appends the result to the <see cref="ShardedWriter"/>. Memory is
/// bounded by a few slices (elementwise methods) or a few tensors (the others), never by the model. A reader thread
/// reads (and hashes) ahead of the merge, at most <see cref="Ahead"/> steps, so I/O and arithmetic overlap. After the
/// last tensor, every input shard is verified in full; a mismatch fails the run (the caller has committed nothing).
/// </summary>
public sealed class MergeExecutor(IReadOnlyList<ModelInput> inputs, IMergeMethod method, long sliceElements)
{
    // Slices are read into reused pinned buffers: no allocation (and no fresh pages to fault in) per slice.
    readonly ConcurrentBag<byte[]> buffers = [];

    /// <summary>Steps read ahead of the one being merged.</summary>
    public const int Ahead = 2;

    /// <summary>Elements per slice by default: 1 Mi (4 MiB in float32), large enough that per-slice costs vanish.</summary>
    public const long DefaultSliceElements = 1L << 20;

    /// <summary>One unit of work: elements [First, First + Count) of a planned tensor, or all of it, shaped (Whole).</summary>
    sealed record Step(PlannedTensor Tensor, long First, long Count, bool Whole);

    /// <summary>A step with its sources read: one tensor per model, then the base's, and the pooled buffers they lie in.</summary>
    sealed record Loaded(Step Step, Tensor[] Sources, byte[][] Buffers, ConcurrentBag<byte[]> Pool) : IDisposable
    {
        public void Dispose()
        {
            foreach (var source in Sources) source.Dispose();
            foreach (var buffer in Buffers) Pool.Add(buffer);
        }
    }

    /// <summary>Merges every tensor of <paramref name="plan"/> into <paramref name="writer"/>; <paramref name="progress"/> gets (tensors done, total).</summary>
    public void Run(MergePlan plan, ShardedWriter writer, Action<int, int> progress, CancellationToken cancellationToken)
    {
        using var queue = new BlockingCollection<Loaded>(Ahead);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reader = Task.Factory.StartNew(() => ReadAll(plan, queue, stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var done = 0;
        try
        {
            foreach (var loaded in queue.GetConsumingEnumerable(stop.Token))
            {
                using (loaded) Merge(loaded, writer);
                var step = loaded.Step;
                if (step.Whole || step.First + step.Count == Elements(step.Tensor)) progress(++done, plan.Tensors.Count);
            }
        }
        catch
        {
            stop.Cancel();
            throw;
        }
        finally
        {
            // Let the reader end (it stops at the cancellation or has finished), then free what it left queued.
            Task.WaitAny(reader);
            foreach (var left in queue) left.Dispose();
        }
        reader.GetAwaiter().GetResult(); // a read or verification failure, as thrown
        cancellationToken.ThrowIfCancellationRequested();
    }

    void ReadAll(MergePlan plan, BlockingCollection<Loaded> queue, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var step in Steps(plan))
            {
                var read = step.Tensor.Models.Concat(step.Tensor.Base is { } b ? [b] : []).Select(source => Read(source, step)).ToList();
                queue.Add(new Loaded(step, [.. read.Select(r => r.Values)], [.. read.Select(r => r.Buffer).OfType<byte[]>()], buffers), cancellationToken);
            }
            foreach (var input in inputs.Distinct()) input.VerifyShards();
        }
        finally
        {
            queue.CompleteAdding();
        }
    }

    IEnumerable<Step> Steps(MergePlan plan)
    {
        foreach (var tensor in plan.Tensors)
        {
            var elements = Elements(tensor);
            if (!method.Elementwise)
            {
                yield return new Step(tensor, 0, elements, Whole: true);
                continue;
            }
            for (long first = 0; first < elements || first == 0; first += sliceElements)
                yield return new Step(tensor, first, Math.Min(sliceElements, elements - first), Whole: false);
        }
    }

    /// <summary>A source's values for a step: a slice in a pooled buffer (returned with it), or a whole tensor of its own.</summary>
    unsafe (Tensor Values, byte[]? Buffer) Read(SourceTensor source, Step step)
    {
        var (file, offset, entry) = inputs[source.Input].Locate(source.Name);
        var size = SafetensorsDType.SizeOf(entry.Type);
        var start = offset + step.First * size;
        if (step.Whole)
        {
            var values = empty([.. entry.Shape], entry.Type);
            try
            {
                foreach (var (address, length) in NativeTensors.Chunks(values))
                {
                    file.Read(start, NativeTensors.Span(address, length));
                    start += length;
                }
                return (values, null);
            }
            catch
            {
                values.Dispose();
                throw;
            }
        }
        var capacity = checked((int)(sliceElements * sizeof(float)));
        var buffer = buffers.TryTake(out var pooled) ? pooled : GC.AllocateUninitializedArray<byte>(capacity, pinned: true);
        var bytes = (int)(step.Count * size);
        file.Read(start, buffer.AsSpan(0, bytes));
        fixed (byte* data = buffer) return (NativeTensors.Borrow((IntPtr)data, [step.Count], entry.Type, static () => { }), buffer);
    }

    void Merge(Loaded loaded, ShardedWriter writer)
    {
        using var scope = NewDisposeScope();
        var tensor = loaded.Step.Tensor;
        var sources = loaded.Sources;
        var models = sources.Take(tensor.Models.Count).ToList();
        var merged = method.Merge(models, tensor.Base is null ? null : sources[^1]);
        writer.Append(merged);
    }

    static long Elements(PlannedTensor tensor) => tensor.Shape.Aggregate(1L, (a, b) => a * b);
}
