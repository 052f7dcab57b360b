using Ebb.Arena;

namespace Ebb.Heap;

/// <summary>
/// Giving memory back on request: a trim of everything that can go now (EbbMemory.Trim,
/// malloc_trim), and the teardown of an explicit heap with all its blocks (EbbHeap.Dispose).
/// </summary>
internal static unsafe class Teardown
{
    /// <summary>
    /// Gives back all that is free now: the calling thread's empty pages (<paramref name="current"/>,
    /// its heap, or null), dead threads' heaps at once instead of after the hold time, abandoned
    /// pages that emptied, cached huge mappings, every free slice (purged), wholly free chunks.
    /// </summary>
    public static void Trim(Heap* current)
    {
        if (!Arena.Arena.IsInitialized) return;
        if (current != null) Pages.ReleaseEmpty(current);
        using (ArenaLock.Hold())
        {
            DeadHeaps.ReleaseDueLocked(holdMs: 0);
            Abandoned.SweepLocked();
            Huge.ExpireCacheLocked(all: true);
        }
        Arena.Arena.Purge(all: true);
        Arena.Arena.ReleaseFreeChunks();
    }

    /// <summary>Frees every page, large span and huge block of explicit heap <paramref name="h"/> and returns it to the pool. The caller owns it and no thread allocates from it any more.</summary>
    public static void DisposeHeap(Heap* h)
    {
        using (ArenaLock.Hold())
        {
            Page** firsts = Heap.FirstOf(h);
            for (int bin = 0; bin < SizeClasses.Count; bin++)
                FreeSpansLocked(firsts[bin]);
            FreeSpansLocked(h->Full);
            FreeSpansLocked(h->Large);
            Huge.FreeAllLocked(h);
            HeapPool.ReturnLocked(h);
        }
    }

    private static void FreeSpansLocked(Page* pg)
    {
        while (pg != null)
        {
            Page* next = pg->Next;
            Arena.Arena.FreeSpanLocked(pg);
            pg = next;
        }
    }
}
