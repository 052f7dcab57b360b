using System.Runtime.InteropServices;
using Ebb.Arena;

namespace Ebb.Heap;

/// <summary>Realloc: keep the block when the new size still fits it well, grow huge blocks with mremap, else move.</summary>
internal static unsafe class Resize
{
    /// <summary>
    /// Resizes <paramref name="p"/> (a block start, checked here) to <paramref name="size"/> bytes aligned to
    /// <paramref name="alignment"/>, taking any new block from <paramref name="heap"/> (null: the calling
    /// thread's heap). <paramref name="current"/> is the calling thread's heap as the host's slot holds it
    /// (null when it has none). Returns null when out of memory, leaving <paramref name="p"/> intact.
    /// </summary>
    public static void* Realloc(Heap* current, Heap* heap, void* p, nuint size, nuint alignment)
    {
        var info = Blocks.LiveBlockAt(p, heap != null ? heap : current);
        bool aligned = alignment <= 16 || ((nuint)p & (alignment - 1)) == 0;
        if (aligned)
        {
            if (info.Kind == BlockKind.Huge && size > Layout.HugeThreshold && alignment <= Layout.ChunkSize)
            {
                void* r = Huge.Resize(p, size);
                if (r != null) return r;
            }
            if (size <= info.Size && size >= info.Size / 2) return p;
        }
        if (heap == null) heap = current != null ? current : (current = Host.InitThreadHeap());
        void* n = alignment <= 16 ? HeapAlloc.FromHeap(heap, size, zero: false) : HeapAlloc.Aligned(heap, size, alignment, zero: false);
        if (n == null) return null;
        NativeMemory.Copy(p, n, Math.Min(size, info.Size));
        Dealloc.Free(current, p);
        return n;
    }
}
