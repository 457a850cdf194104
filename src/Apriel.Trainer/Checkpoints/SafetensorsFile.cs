using System.IO.MemoryMappedFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Checkpoints;

/// <summary>
/// A safetensors file opened for reading: the header is read and checked (<see cref="SafetensorsHeader"/>), the file is
/// memory-mapped, and each tensor is created on request directly over the mapped bytes — nothing is copied until a
/// tensor's pages are touched, and only those pages are read. The mapping is copy-on-write, so an in-place change to a
/// returned tensor stays private to this process and never reaches the file. The mapping lives until this object is
/// disposed and every tensor it returned has been freed.
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private readonly MemoryMappedFile map;
    private readonly MemoryMappedViewAccessor view;
    private readonly byte* data;
    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle handle;
    private int references = 1;
    private int disposed;

    public string Path { get; }

    public SafetensorsHeader Header { get; }

    public IReadOnlyDictionary<string, SafetensorsEntry> Tensors => Header.Tensors;

    private SafetensorsFile(string path, SafetensorsHeader header)
    {
        Path = path;
        Header = header;
        map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.CopyOnWrite);
        view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.CopyOnWrite);
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        data = pointer + view.PointerOffset + header.DataStart;
        handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
    }

    /// <summary>Opens and checks <paramref name="path"/>; throws <see cref="CheckpointException"/> when it is not a usable safetensors file.</summary>
    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException(path, "file not found");
        return new SafetensorsFile(path, SafetensorsHeader.Read(path));
    }

    /// <summary>
    /// The tensor <paramref name="name"/> over the mapped bytes (no copy). Dispose it, or let a dispose scope do so, when
    /// done; convert or clone it to keep the values beyond this file's life.
    /// </summary>
    public Tensor Get(string name)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        if (!Header.Tensors.TryGetValue(name, out var entry)) throw new CheckpointException(Path, $"no tensor \"{name}\"");
        var shape = entry.Shape.ToArray();
        var address = (IntPtr)(data + entry.Begin);
        var bytes = entry.End - entry.Begin;
        var elementSize = bytes / Math.Max(1, entry.Elements);
        if (bytes == 0 || address % Math.Max(1, elementSize) != 0)
        {
            // Empty tensors have no bytes to lend; a misaligned one (a header not padded to 8 bytes) is copied out.
            var copy = empty(shape, entry.Type);
            if (bytes > 0) new ReadOnlySpan<byte>((void*)address, checked((int)bytes)).CopyTo(NativeTensors.Span(NativeTensors.DataPointer(copy), (int)bytes));
            return copy;
        }
        Interlocked.Increment(ref references);
        try
        {
            return NativeTensors.Borrow(address, shape, entry.Type, Release);
        }
        catch
        {
            Release();
            throw;
        }
    }

    /// <summary>
    /// Copies tensor <paramref name="name"/> into <paramref name="destination"/>, converting its type if needed. The shape
    /// must match (checked here, before any native call). When the types match and the destination is a contiguous CPU
    /// tensor, the bytes are read from the file straight into it (one <c>pread</c> per 64 MiB, no page faults on the
    /// mapping): this is how a model is loaded at the speed of a plain file read.
    /// </summary>
    public void ReadInto(string name, Tensor destination)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        if (!Header.Tensors.TryGetValue(name, out var entry)) throw new CheckpointException(Path, $"no tensor \"{name}\"");
        if (!entry.Shape.SequenceEqual(destination.shape))
            throw new CheckpointException(Path, $"tensor \"{name}\" has shape {entry.ShapeText}, the destination [{string.Join(", ", destination.shape)}]");
        if (destination.dtype == entry.Type && destination.device_type == DeviceType.CPU && destination.is_contiguous())
        {
            var address = NativeTensors.DataPointer(destination);
            var offset = Header.DataStart + entry.Begin;
            for (long done = 0, total = entry.End - entry.Begin; done < total;)
            {
                var length = (int)Math.Min(1 << 26, total - done);
                var read = RandomAccess.Read(handle, NativeTensors.Span(address + (nint)done, length), offset + done);
                if (read <= 0) throw new CheckpointException(Path, $"truncated while reading tensor \"{name}\"");
                done += read;
            }
            return;
        }
        using var source = Get(name);
        using var _ = no_grad();
        destination.copy_(source);
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref references) != 0) return;
        view.SafeMemoryMappedViewHandle.ReleasePointer();
        view.Dispose();
        map.Dispose();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        handle.Dispose();
        Release();
    }
}
