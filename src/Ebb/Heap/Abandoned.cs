using Ebb.Arena;

namespace Ebb.Heap;

/// <summary>
/// Pages of heaps whose owner is gone (a dead thread, an EbbHeap collected without
/// Dispose). Their blocks stay valid and may still be freed from any thread (remote frees
/// onto ThreadFree). A thread short of a page of some bin adopts one from here; the purge
/// thread and Trim collect the rest and give back those that became empty. All under the
/// arena lock.
/// </summary>
internal static unsafe class Abandoned
{
    /// <summary>Per bin, the abandoned pages (<c>Page*</c>), newest first.</summary>
    private struct Lists
    {
        public fixed ulong First[SizeClasses.Count];
    }

    private static Lists s_lists;

    private static Page* Head(int bin) => (Page*)s_lists.First[bin];

    private static void SetHead(int bin, Page* pg) => s_lists.First[bin] = (ulong)pg;
    private static int s_count;

    /// <summary>Abandoned pages waiting.</summary>
    public static int Count => Volatile.Read(ref s_count);

    /// <summary>Moves every page of <paramref name="h"/> here and returns the heap to the pool. Its owner must be gone.</summary>
    public static void AbandonHeap(Heap* h)
    {
        using (Arena.ArenaLock.Hold()) AbandonHeapLocked(h);
        Host.WakePurger();
    }

    /// <summary><see cref="AbandonHeap"/> for a caller holding the arena lock (the caller wakes the purge thread if it is not that thread).</summary>
    public static void AbandonHeapLocked(Heap* h)
    {
        Page** firsts = Heap.FirstOf(h);
        for (int bin = 0; bin < SizeClasses.Count; bin++)
        {
            for (Page* pg = firsts[bin]; pg != null;)
            {
                Page* next = pg->Next;
                Add(pg);
                pg = next;
            }
        }
        for (Page* pg = h->Full; pg != null;)
        {
            Page* next = pg->Next;
            Add(pg);
            pg = next;
        }
        EmptyPages.ReleaseAllLocked(h);
        // Large spans and huge blocks of an explicit heap stay valid; they just stop being its.
        for (Page* pg = h->Large; pg != null;)
        {
            Page* next = pg->Next;
            pg->Heap = null;
            pg->Next = pg->Prev = null;
            pg = next;
        }
        Huge.Detach(h);
        HeapPool.ReturnLocked(h);
    }

    private static void Add(Page* pg)
    {
        pg->Heap = null;
        pg->LocalHeap = HeapState.None;
        pg->Flags &= unchecked((byte)~PageFlags.InFull);
        pg->Prev = null;
        pg->Next = Head(pg->Bin);
        if (pg->Next != null) pg->Next->Prev = pg;
        SetHead(pg->Bin, pg);
        s_count++;
    }

    private static void Remove(Page* pg)
    {
        if (pg->Prev != null) pg->Prev->Next = pg->Next; else SetHead(pg->Bin, pg->Next);
        if (pg->Next != null) pg->Next->Prev = pg->Prev;
        pg->Next = pg->Prev = null;
        s_count--;
    }

    /// <summary>An abandoned page of <paramref name="bin"/> with a free block, now <paramref name="h"/>'s (not yet queued); null if none.</summary>
    public static Page* TryAdopt(Heap* h, int bin)
    {
        if (Volatile.Read(ref s_count) == 0) return null;
        using (Arena.ArenaLock.Hold())
        {
            for (int tries = 0; tries < 16; tries++)
            {
                Page* pg = Head(bin);
                if (pg == null) return null;
                Remove(pg);
                Pages.Collect(pg);
                if (pg->Free == null && pg->Capacity < pg->Reserved) Pages.Extend(pg);
                if (pg->Free != null) { pg->Heap = h; return pg; }
                Pages.MakeFull(h, pg);
            }
        }
        return null;
    }

    /// <summary>Collects every abandoned page and gives back the empty ones. Returns whether any remain.</summary>
    public static bool SweepLocked()
    {
        if (s_count == 0) return false;
        for (int bin = 0; bin < SizeClasses.Count; bin++)
        {
            for (Page* pg = Head(bin); pg != null;)
            {
                Page* next = pg->Next;
                Pages.CollectRemote(pg);
                if (Pages.IsEmpty(pg))
                {
                    Remove(pg);
                    Arena.Arena.FreeSpanLocked(pg);
                }
                pg = next;
            }
        }
        return s_count != 0;
    }
}
