using System.Diagnostics;
using System.Runtime.CompilerServices;
using Ebb.Arena;

namespace Ebb.Heap;

/// <summary>
/// A thread heap's cache of its own empty pages (mimalloc frees an empty page to its thread's
/// segment at once; here the arena is shared and locked, so the heap keeps them). A page whose
/// last block the owner frees leaves its bin queue for the heap's empty list, unless it is the
/// page its bin allocates from; a bin short of a page takes one back from there (its own bin's
/// first, else any page of the same span size, carved anew) before adopting or asking the
/// arena. Beyond <see cref="RetainBudget"/> bytes, the oldest go back to the arena under one
/// lock, down to half the budget. No walk of the queues: the list holds exactly the empty pages
/// it counts. Owner only (the thread, or an EbbHeap under its gate).
/// </summary>
internal static unsafe class EmptyPages
{
    /// <summary>Bytes of empty pages a heap keeps before giving the oldest back.</summary>
    public const long RetainBudget = 1 << 20;

    /// <summary>
    /// The owner freed the last block of <paramref name="pg"/> (every block is on LocalFree; Free
    /// and ThreadFree are empty, so no other thread may touch it but to free a block twice, which
    /// the free mark refuses). Off its queue onto the empty list, unless its bin allocates from it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void PageEmptied(Page* pg)
    {
        // A program that only frees now still reaches due housekeeping (a host without a purge thread).
        Host.SlowPath();
        Heap* h = pg->Heap;
        // The page allocation pops from stays: a batch of allocations and frees would otherwise
        // move it off and back every round. (Used == 0 tells the next allocation's slow path to refill.)
        if (Heap.FirstOf(h)[pg->Bin] == pg) return;
        Debug.Assert(pg->Used == 0 && pg->Free == null && (pg->Flags & PageFlags.InFull) == 0);
        Pages.Unlink(h, pg);
        pg->LocalHeap = HeapState.None;
        pg->Flags |= PageFlags.InEmpty;
        pg->Prev = null;
        pg->Next = h->Empty;
        if (h->Empty != null) h->Empty->Prev = pg; else h->EmptyTail = pg;
        h->Empty = pg;
        h->EmptyBytes += Bytes(pg);
        if (h->EmptyBytes > RetainBudget) Release(h, RetainBudget / 2);
    }

    /// <summary>An empty page of <paramref name="h"/> made ready for <paramref name="bin"/> (not queued), or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Page* Take(Heap* h, int bin)
    {
        Page* pg = h->Empty;
        if (pg == null) return null;
        Page* sameSpan = null;
        uint slices = SizeClasses.SlicesPerPage(bin);
        for (; pg != null; pg = pg->Next)
        {
            if (pg->Bin == bin) break;
            if (sameSpan == null && pg->SliceCount == slices) sameSpan = pg;
        }
        if (pg == null) pg = sameSpan;
        if (pg == null) return null;
        Unlink(h, pg);
        if (pg->Bin == bin) Pages.Refill(pg);
        else Pages.Init(pg, h, bin, zero: false);
        Debug.Assert(pg->Free != null);
        return pg;
    }

    /// <summary>Gives the oldest empty pages back to the arena until at most <paramref name="keepBytes"/> remain (0: all).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Release(Heap* h, long keepBytes)
    {
        if (h->EmptyBytes <= keepBytes) return;
        using (Arena.ArenaLock.Hold())
        {
            while (h->EmptyBytes > keepBytes)
            {
                Page* pg = h->EmptyTail;
                Unlink(h, pg);
                Arena.Arena.FreeSpanLocked(pg);
            }
        }
    }

    /// <summary>Every empty page back to the arena; the caller holds the arena lock (a heap given up).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ReleaseAllLocked(Heap* h)
    {
        while (h->Empty != null)
        {
            Page* pg = h->Empty;
            Unlink(h, pg);
            Arena.Arena.FreeSpanLocked(pg);
        }
    }

    private static void Unlink(Heap* h, Page* pg)
    {
        Debug.Assert((pg->Flags & PageFlags.InEmpty) != 0);
        if (pg->Prev != null) pg->Prev->Next = pg->Next; else h->Empty = pg->Next;
        if (pg->Next != null) pg->Next->Prev = pg->Prev; else h->EmptyTail = pg->Prev;
        pg->Next = pg->Prev = null;
        pg->Flags &= unchecked((byte)~PageFlags.InEmpty);
        h->EmptyBytes -= Bytes(pg);
        Debug.Assert(h->EmptyBytes >= 0);
    }

    private static long Bytes(Page* pg) => (long)pg->SliceCount << Layout.SliceShift;
}
