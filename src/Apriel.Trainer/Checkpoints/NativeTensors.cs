using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Checkpoints;

/// <summary>
/// The two things TorchSharp 0.107 does not expose publicly and zero-copy checkpoint IO needs: a tensor over memory we
/// own (libtorch's <c>from_blob</c> with a deleter, exported by LibTorchSharp as <c>THSTensor_new</c>) and the data
/// pointer of a tensor (<c>THSTensor_data</c>). Callers check sizes and shapes before calling these.
/// </summary>
internal static unsafe class NativeTensors
{
    private const string Library = "LibTorchSharp";

    // Tensor THSTensor_new(void* data, void (*deleter)(void*), const int64_t* sizes, int szlength,
    //                      int8_t scalar_type, int8_t dtype, int device_type, int device_index, bool requires_grad)
    [DllImport(Library)]
    private static extern IntPtr THSTensor_new(IntPtr data, IntPtr deleter, long* sizes, int szlength,
        sbyte scalarType, sbyte dtype, int deviceType, int deviceIndex, byte requiresGrad);

    [DllImport(Library)]
    private static extern IntPtr THSTensor_data(IntPtr tensor);

    // Who to tell when libtorch frees a tensor we made over borrowed memory, by data address. The same bytes may be lent
    // to several tensors at once (a tensor read twice); each free pops one callback (they are the same owner's).
    private static readonly Dictionary<IntPtr, Stack<Action>> Owners = [];

    static NativeTensors()
    {
        // Make sure TorchSharp has loaded (and initialised) the native library before we bind to it.
        using var _ = torch.empty(0);
    }

    /// <summary>
    /// A CPU tensor that reads <paramref name="data"/> in place. <paramref name="onFree"/> runs once libtorch frees it
    /// (from whichever thread drops the last reference). The memory must stay valid until then, and must be
    /// <paramref name="shape"/>'s element count times the element size of <paramref name="type"/>.
    /// </summary>
    public static Tensor Borrow(IntPtr data, ReadOnlySpan<long> shape, ScalarType type, Action onFree)
    {
        lock (Owners)
        {
            if (!Owners.TryGetValue(data, out var callbacks)) Owners[data] = callbacks = new Stack<Action>();
            callbacks.Push(onFree);
        }
        fixed (long* sizes = shape)
        {
            var handle = THSTensor_new(data, (IntPtr)(delegate* unmanaged<IntPtr, void>)&Freed, sizes, shape.Length,
                (sbyte)type, (sbyte)type, (int)DeviceType.CPU, 0, 0);
            if (handle == IntPtr.Zero)
            {
                Take(data);
                throw new InvalidOperationException("libtorch refused to create a tensor over mapped memory");
            }
            return Tensor.UnsafeCreateTensor(handle);
        }
    }

    [UnmanagedCallersOnly]
    private static void Freed(IntPtr data)
    {
        try
        {
            Take(data)?.Invoke();
        }
        catch (Exception e)
        {
            // An exception must not cross into native code (that would end the process); unmapping failed, so the
            // mapping stays until the process ends.
            Console.Error.WriteLine($"warning: releasing a mapped checkpoint failed: {e.Message}");
        }
    }

    private static Action? Take(IntPtr data)
    {
        lock (Owners)
        {
            if (!Owners.TryGetValue(data, out var callbacks)) return null;
            var onFree = callbacks.Pop();
            if (callbacks.Count == 0) Owners.Remove(data);
            return onFree;
        }
    }

    /// <summary>The address of the first element of a contiguous CPU tensor.</summary>
    public static IntPtr DataPointer(Tensor tensor)
    {
        if (tensor.device_type != DeviceType.CPU || !tensor.is_contiguous()) throw new ArgumentException("need a contiguous CPU tensor", nameof(tensor));
        return THSTensor_data(tensor.Handle);
    }

    /// <summary>The bytes of a contiguous CPU tensor, as a span per chunk of at most <paramref name="chunk"/> bytes.</summary>
    public static IEnumerable<(IntPtr Address, int Length)> Chunks(Tensor tensor, int chunk = 1 << 26)
    {
        var address = DataPointer(tensor);
        var total = tensor.NumberOfElements * tensor.ElementSize;
        for (long done = 0; done < total; done += chunk)
            yield return (address + (nint)done, (int)Math.Min(chunk, total - done));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Span<byte> Span(IntPtr address, int length) => new((void*)address, length);
}
