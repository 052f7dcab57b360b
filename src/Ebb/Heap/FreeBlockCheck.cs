using System.Runtime.CompilerServices;
using Ebb.Arena;
namespace Ebb.Heap;

/// <summary>
/// Whether a small block about to be freed, reallocated or measured is free now, from its
/// <see cref="BlockMark"/>: on a page the caller owns, confirmed by walking the page's three
/// lists (so even a live block whose second word happens to hold the mark is told apart);
/// on another heap's page, whose lists only their owner may walk, the mark alone decides.
/// Off the fast paths: the free fast path tests the mark itself and comes here only on a hit.
/// </summary>
internal static unsafe class FreeBlockCheck
{
    /// <summary>
    /// Throws double-free when block <paramref name="p"/> of small page <paramref name="pg"/> was
    /// freed and not handed out since, invalid-free when it was carved and never handed out.
    /// <paramref name="h"/> is the heap the caller owns (its thread's, or an EbbHeap under its gate), or null.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ThrowIfFree(void* p, Page* pg, Heap* h)
    {
        if (((Block*)p)->Mark == BlockMark.Of(pg)) ThrowIfOnLists(p, pg, h);
    }

    /// <summary>The block carries the free mark: refuse it, unless it is the caller's own page and the block is on none of its lists.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ThrowIfOnLists(void* p, Page* pg, Heap* h)
    {
        if (h != null && pg->Heap == h && !OnLists(pg, (Block*)p)) return;
        var info = Blocks.Find(p);
        Host.FreeFailed(NeverHandedOut(pg, (Block*)p) ? FreeError.NeverHandedOut : FreeError.DoubleFree, p, info);
    }

    /// <summary>
    /// Whether free block <paramref name="b"/> is one of the last carving's that were never handed
    /// out: while Free is that carving's remainder, those are exactly its blocks from the head to
    /// the end of the carved area. (On another thread's page the fields are read as they are:
    /// only the report's wording depends on it.)
    /// </summary>
    private static bool NeverHandedOut(Page* pg, Block* b)
    {
        nuint head = (nuint)pg->Free;
        return (pg->Flags & PageFlags.FreeIsCarved) != 0 && head != 0 && (nuint)b >= head && (nuint)b < pg->Start + pg->AreaSize;
    }

    /// <summary>Whether <paramref name="b"/> is on one of the page's free lists. Owner only: Free and LocalFree are its alone; ThreadFree only grows under it.</summary>
    private static bool OnLists(Page* pg, Block* b) =>
        OnList(pg, pg->Free, b) || OnList(pg, pg->LocalFree, b)
        || OnList(pg, (Block*)Volatile.Read(ref *(nint*)&pg->ThreadFree), b);

    private static bool OnList(Page* pg, Block* list, Block* b)
    {
        // Bounded by the page's capacity: a list corrupted into a cycle is not followed forever.
        for (uint n = 0; list != null && n <= pg->Capacity; list = list->Next, n++)
            if (list == b) return true;
        return false;
    }
}
