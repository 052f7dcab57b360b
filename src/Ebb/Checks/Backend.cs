using Ebb.DotNetHost;
using System.Runtime.CompilerServices;
using Ebb.Arena;
using Ebb.Heap;

namespace Ebb.Checks;

/// <summary>
/// What the checks allocate from: the allocator's internal entry points, below the
/// <c>Checker.Enabled</c> test, so a checked block's storage is an ordinary Ebb block and a
/// pointer the checks do not know goes to the allocator's own release-mode checks.
/// </summary>
internal static unsafe class Backend
{
    /// <summary>A release-mode block of <paramref name="byteCount"/> bytes from the calling thread's heap; throws when out of memory.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Alloc(nuint byteCount) => HeapAlloc.Alloc(ThreadHeap.Current, byteCount);

    /// <summary>A release-mode block aligned to <paramref name="alignment"/> (a power of two); throws when out of memory.</summary>
    public static void* AlignedAlloc(nuint byteCount, nuint alignment)
    {
        Heap.Heap* h = ThreadHeap.Current;
        if (h == null) h = ThreadHeap.Init();
        void* p = h == null ? null : HeapAlloc.Aligned(h, byteCount, alignment, zero: false);
        if (p == null) throw new OutOfMemoryException();
        return p;
    }

    /// <summary>Resizes a release-mode block as release mode does (in place where it can); throws when out of memory.</summary>
    public static void* Realloc(void* ptr, nuint byteCount, nuint alignment)
    {
        void* p = Resize.Realloc(ThreadHeap.Current, null, ptr, byteCount == 0 ? 1 : byteCount, alignment);
        if (p == null) throw new OutOfMemoryException();
        return p;
    }

    /// <summary>Frees a release-mode block (the allocator's own checks apply).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(void* ptr) => Dealloc.Free(ThreadHeap.Current, ptr);

    /// <summary>The usable size of a release-mode block; throws for a pointer that is not a live block start.</summary>
    public static nuint UsableSize(void* ptr) => ptr == null ? 0 : Blocks.UsableSize(ptr, ThreadHeap.Current);

    /// <summary>
    /// Whether <paramref name="address"/> lies in one of Ebb's chunks of slices (the chunk map,
    /// one byte read): a chunk is mapped whole, so reading there cannot fault. Huge mappings
    /// are left out (the last chunk of one is only partly mapped). Cheaper than
    /// <see cref="TryFindBlock"/>, which also finds the block (a division).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsInChunk(nuint address) => Arena.ChunkMap.Get(address) == Arena.ChunkMap.Chunk;

    /// <summary>The allocator block holding <paramref name="ptr"/>, live or free, when it is Ebb's.</summary>
    public static bool TryFindBlock(void* ptr, out void* blockStart, out nuint blockSize)
    {
        var info = Blocks.FindLive(ptr);
        if (info.Kind is BlockKind.Small or BlockKind.Large or BlockKind.Huge)
        {
            blockStart = (void*)info.Start;
            blockSize = info.Size;
            return true;
        }
        blockStart = null;
        blockSize = 0;
        return false;
    }
}
