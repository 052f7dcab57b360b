using System.Runtime.InteropServices;
using Ebb.Heap;

namespace Ebb.Arena;

/// <summary>
/// The header at the start of every 32 MiB chunk. Slices 0..HeaderSlices-1 hold it:
/// these fields, then at <see cref="Layout.SliceMapOffset"/> room for a <c>Page*</c> per slice
/// (the slice map, used only when the flat <see cref="PageMap"/> could not be reserved) and at <see cref="Layout.PagesOffset"/>
/// a 192-byte page descriptor per slice. All fields are guarded by the arena lock.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct Chunk
{
    /// <summary>Next chunk in the arena's list (address order of creation).</summary>
    public Chunk* Next;
    /// <summary>Where the chunk came from (mmap or brk).</summary>
    public int Source;
    /// <summary>Slices in use, the header's included.</summary>
    public int UsedSlices;
    /// <summary>Bit per slice: in use (header or span).</summary>
    public fixed ulong Used[Layout.SlicesPerChunk / 64];
    /// <summary>Bit per slice: free but still resident (not purged yet). Invariant: Dirty ⊆ ¬Used.</summary>
    public fixed ulong Dirty[Layout.SlicesPerChunk / 64];
    /// <summary>Bit per slice: contents known to be zero (fresh, or purged with MADV_DONTNEED).</summary>
    public fixed ulong Zero[Layout.SlicesPerChunk / 64];

    /// <summary>The chunk's <c>Page*</c> per slice: its part of the flat <see cref="PageMap"/>, or the header's own copy when there is no flat map.</summary>
    public static Page** SliceMap(Chunk* c) => PageMap.Flat ? PageMap.Of(c) : (Page**)((byte*)c + Layout.SliceMapOffset);

    public static Page* PageAt(Chunk* c, int slice) => (Page*)((byte*)c + Layout.PagesOffset) + slice;

    public static nuint SliceAddress(Chunk* c, int slice) => (nuint)c + ((nuint)slice << Layout.SliceShift);

    public static bool Test(ulong* bits, int i) => (bits[i >> 6] & (1UL << (i & 63))) != 0;

    public static void Set(ulong* bits, int i) => bits[i >> 6] |= 1UL << (i & 63);

    public static void Reset(ulong* bits, int i) => bits[i >> 6] &= ~(1UL << (i & 63));
}
