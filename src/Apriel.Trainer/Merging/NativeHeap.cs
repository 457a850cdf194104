using System.Runtime.InteropServices;

namespace Apriel.Trainer.Merging;

/// <summary>
/// glibc's allocator raises its mmap threshold each time a large block is freed, after which blocks of a few MiB come
/// from its heaps and are kept when freed: a merge allocating and freeing slice-sized temporaries then grew to 1.2-1.6 GB
/// for ~200 MB live (measured by <c>bench merge</c>). A fixed threshold makes every block of 1 MiB or more its own
/// mapping, returned to the system when freed.
/// </summary>
public static partial class NativeHeap
{
    const int MmapThreshold = -3; // M_MMAP_THRESHOLD

    [LibraryImport("libc")]
    private static partial int mallopt(int param, int value);

    /// <summary>Large native blocks go back to the system when freed (glibc on Linux; elsewhere nothing changes).</summary>
    public static void ReturnLargeBlocks()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            mallopt(MmapThreshold, 1 << 20);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (e.g. musl): its allocator returns large blocks anyway.
        }
    }
}
