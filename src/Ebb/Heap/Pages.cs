using System.Diagnostics;
using System.Runtime.CompilerServices;
using Ebb.Arena;

namespace Ebb.Heap;

/// <summary>
/// Page queues of a heap and the slow path of allocation: find a page of the bin with a
/// free block (collecting local and remote frees), else adopt an abandoned page, else take
/// a fresh span from the arena. Thread heaps call this on their own thread; explicit heaps
/// under their lock.
/// </summary>
internal static unsafe class Pages
{
    /// <summary>A page of <paramref name="bin"/> with a free block, first in its queue, or null when out of memory.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Page* FindPage(Heap* h, int bin)
    {
        Page** firsts = Heap.FirstOf(h);
        Page* pg = firsts[bin];
        while (pg != null)
        {
            Page* next = pg->Next;
            Collect(pg);
            if (pg->Free == null && pg->Capacity < pg->Reserved) Extend(pg);
            if (pg->Free != null)
            {
                if (pg != firsts[bin]) { Unlink(h, pg); PushFront(h, pg); }
                return pg;
            }
            Unlink(h, pg);
            MakeFull(h, pg);
            pg = next;
        }
        if (Volatile.Read(ref h->RemoteOnFull) != 0)
        {
            Volatile.Write(ref h->RemoteOnFull, 0);
            RescueFull(h);
            // A rescued page holds its remote frees on ThreadFree: refill Free from them. (Testing
            // Free alone, as this did, never found one, and the allocation took fresh memory.)
            pg = firsts[bin];
            if (pg != null && (pg->Free != null || Refill(pg))) return pg;
        }
        // The heap's own empty pages first (no lock), then an abandoned page. Only a thread heap
        // adopts: an abandoned page holds a dead thread's live blocks, and an EbbHeap's Dispose
        // gives back every page it holds, with whatever blocks are on it.
        pg = EmptyPages.Take(h, bin);
        if (pg == null && h->Kind == HeapKind.Thread) pg = Abandoned.TryAdopt(h, bin);
        if (pg == null)
        {
            pg = NewPage(h, bin);
            if (pg == null) return null;
        }
        PushFront(h, pg);
        return pg;
    }

    /// <summary>
    /// For a page about to serve allocations whose Free is empty: LocalFree becomes Free (Used
    /// becomes Capacity: blocks on Free count as in use until freed again), or, when there are
    /// no local frees, the remote frees do (one exchange; blocks on ThreadFree already count in
    /// Used, so no count and no walk of a list another core just wrote). Returns whether Free
    /// has blocks now. Only a page that then goes to the front of its queue is left with blocks
    /// on Free. Remote frees are not starved: when LocalFree is empty they are taken, and a
    /// page is extended or called full only when both are empty.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Refill(Page* pg)
    {
        Block* list = pg->LocalFree;
        if (list != null)
        {
            pg->LocalFree = null;
            pg->Used = pg->Capacity;
        }
        else
        {
            if (pg->ThreadFree == null) return false;
            list = (Block*)Interlocked.Exchange(ref *(nint*)&pg->ThreadFree, 0);
            if (list == null) return false;
        }
        pg->Free = list;
        const byte carving = PageFlags.FreeIsZero | PageFlags.FreeIsCarved;
        if ((pg->Flags & carving) != 0) pg->Flags &= unchecked((byte)~carving);
        return true;
    }

    /// <summary>Refills Free if it is empty (<see cref="Refill"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Collect(Page* pg)
    {
        if (pg->Free == null) Refill(pg);
    }

    /// <summary>Takes the remote frees onto LocalFree, leaving Free alone (for pages that do not serve allocations now).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CollectRemote(Page* pg)
    {
        if (pg->ThreadFree != null) CollectThreadFree(pg);
    }

    /// <summary>Whether every block of the page is free (remote frees collected already). Walks Free, which only the page a heap allocates from has.</summary>
    public static bool IsEmpty(Page* pg)
    {
        if (pg->Used == 0) return true;
        return pg->Free != null && CountFree(pg) == pg->Used;
    }

    /// <summary>Blocks on the page's Free list (at most Capacity + 1: a cycle is not followed forever).</summary>
    public static uint CountFree(Page* pg)
    {
        uint n = 0;
        for (Block* b = pg->Free; b != null && n <= pg->Capacity; b = b->Next) n++;
        return n;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CollectThreadFree(Page* pg)
    {
        Block* list = (Block*)Interlocked.Exchange(ref *(nint*)&pg->ThreadFree, 0);
        if (list == null) return;
        uint n = 1;
        Block* tail = list;
        while (tail->Next != null) { tail = tail->Next; n++; }
        tail->Next = pg->LocalFree;
        pg->LocalFree = list;
        pg->Used -= n;
    }

    /// <summary>Carves a fresh span into blocks of <paramref name="bin"/>, all on the free list.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Page* NewPage(Heap* h, int bin)
    {
        uint slices = SizeClasses.SlicesPerPage(bin);
        Page* pg = Arena.Arena.AllocSpan(slices, out bool zero);
        if (pg == null) return null;
        Init(pg, h, bin, zero);
        return pg;
    }

    /// <summary>Makes span <paramref name="pg"/> (of the bin's slice count) a page of <paramref name="bin"/>, its first blocks carved; <paramref name="zero"/>: its bytes are known zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Init(Page* pg, Heap* h, int bin, bool zero)
    {
        Debug.Assert(pg->SliceCount == SizeClasses.SlicesPerPage(bin));
        uint slices = pg->SliceCount;
        uint bs = SizeClasses.BlockSize(bin);
        nuint span = (nuint)slices << Layout.SliceShift;
        pg->Start = Page.SpanStart(pg) + span % bs;
        pg->Reserved = (uint)(span / bs);
        pg->Capacity = 0;
        pg->AreaSize = 0;
        pg->DivMagic = Page.MagicFor(bs);
        pg->DivLimit = 0;
        pg->Used = 0;
        pg->BlockSize = bs;
        pg->Bin = (byte)bin;
        pg->Flags = 0;
        pg->TailIsZero = zero ? (byte)1 : (byte)0;
        pg->Heap = h;
        pg->Free = null;
        pg->LocalFree = null;
        pg->ThreadFree = null;
        Extend(pg);
        pg->Kind = PageKind.Small;
    }

    /// <summary>Bytes of blocks carved at a time (at least one block): one OS page, as mimalloc does.</summary>
    public const uint ExtendBytes = 4096;

    /// <summary>
    /// Carves the next 4 KiB worth of blocks (at least one) onto the empty free list, in address
    /// order. Little at a time: a heap cycling through a batch of blocks reuses the ones it
    /// freed (LocalFree, refilled into Free when Free runs dry) instead of walking the whole
    /// page first, and memory a page never needs is never touched.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Extend(Page* pg)
    {
        uint bs = pg->BlockSize;
        uint n = Math.Min(pg->Reserved - pg->Capacity, Math.Max(1u, ExtendBytes / bs));
        byte* b = (byte*)(pg->Start + (nuint)pg->Capacity * bs);
        ulong mark = BlockMark.Of(pg);
        pg->Free = (Block*)b;
        for (uint i = 1; i < n; i++, b += bs)
        {
            ((Block*)b)->Next = (Block*)(b + bs);
            ((Block*)b)->Mark = mark;
        }
        ((Block*)b)->Next = null;
        ((Block*)b)->Mark = mark;
        pg->Capacity += n;
        pg->Used += n;
        pg->AreaSize = (nuint)pg->Capacity * bs;
        pg->DivLimit = Page.LimitFor(bs, pg->Capacity);
        pg->Flags |= pg->TailIsZero != 0 ? (byte)(PageFlags.FreeIsZero | PageFlags.FreeIsCarved) : PageFlags.FreeIsCarved;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PushFront(Heap* h, Page* pg)
    {
        int bin = pg->Bin;
        Page** firsts = Heap.FirstOf(h), lasts = Heap.LastOf(h);
        pg->Prev = null;
        pg->Next = firsts[bin];
        if (pg->Next != null) pg->Next->Prev = pg; else lasts[bin] = pg;
        firsts[bin] = pg;
        pg->Heap = h;
        pg->LocalHeap = h;
        pg->Flags &= unchecked((byte)~PageFlags.InFull);
        SetDirect(h, bin, pg);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PushBack(Heap* h, Page* pg)
    {
        int bin = pg->Bin;
        Page** firsts = Heap.FirstOf(h), lasts = Heap.LastOf(h);
        pg->Next = null;
        pg->Prev = lasts[bin];
        if (pg->Prev != null) pg->Prev->Next = pg; else { firsts[bin] = pg; SetDirect(h, bin, pg); }
        lasts[bin] = pg;
        pg->Heap = h;
        pg->LocalHeap = h;
        pg->Flags &= unchecked((byte)~PageFlags.InFull);
    }

    /// <summary>Removes a page from its bin queue.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Unlink(Heap* h, Page* pg)
    {
        int bin = pg->Bin;
        Page** firsts = Heap.FirstOf(h), lasts = Heap.LastOf(h);
        if (pg->Prev != null) pg->Prev->Next = pg->Next; else { firsts[bin] = pg->Next; SetDirect(h, bin, pg->Next); }
        if (pg->Next != null) pg->Next->Prev = pg->Prev; else lasts[bin] = pg->Prev;
        pg->Next = pg->Prev = null;
    }

    /// <summary>Puts a page on the full list: LocalHeap None, so the next local free comes to the slow path and brings it back.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MakeFull(Heap* h, Page* pg)
    {
        pg->LocalHeap = HeapState.None;
        pg->Flags |= PageFlags.InFull;
        pg->Heap = h;
        pg->Prev = null;
        pg->Next = h->Full;
        if (h->Full != null) h->Full->Prev = pg; else h->FullTail = pg;
        h->Full = pg;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void UnlinkFull(Heap* h, Page* pg)
    {
        if (pg->Prev != null) pg->Prev->Next = pg->Next; else h->Full = pg->Next;
        if (pg->Next != null) pg->Next->Prev = pg->Prev; else h->FullTail = pg->Prev;
        pg->Next = pg->Prev = null;
        pg->Flags &= unchecked((byte)~PageFlags.InFull);
    }

    /// <summary>Full pages looked at per rescue: a heap with thousands of full pages (a producer whose consumer frees them) pays for a few, not all, at each miss.</summary>
    public const int RescueScan = 128;

    /// <summary>
    /// Full pages that received remote frees go back to their queues. The oldest full pages are
    /// looked at first (the tail: a consumer frees in about the order blocks were made), at most
    /// <see cref="RescueScan"/> of them, and the others keep their place, so the order of age
    /// holds. Only when a whole scan found nothing to collect do the scanned pages move to the
    /// head (blocks that live long must not hide the pages behind them). When it stopped short,
    /// the hint stays set for the next miss.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RescueFull(Heap* h)
    {
        int scanned = 0, rescued = 0;
        Page* pg = h->FullTail;
        for (; pg != null && scanned < RescueScan; scanned++)
        {
            Page* prev = pg->Prev;
            if (Volatile.Read(ref *(nint*)&pg->ThreadFree) != 0)
            {
                // Back to its queue with the remote frees still on ThreadFree: Refill takes them
                // onto Free in one exchange when the page is next allocated from, with no walk of
                // blocks another core wrote (a full page's Free and LocalFree are empty).
                UnlinkFull(h, pg);
                PushBack(h, pg);
                rescued++;
            }
            pg = prev;
        }
        if (pg == null) return;
        if (rescued == 0)
        {
            // The oldest pages had nothing to collect: they go to the head, behind the rest.
            for (int i = 0; i < RescueScan; i++)
            {
                Page* old = h->FullTail;
                UnlinkFull(h, old);
                MakeFull(h, old);
            }
        }
        Volatile.Write(ref h->RemoteOnFull, 1);
    }

    /// <summary>Points the direct slots of <paramref name="bin"/> (bins up to 1024 B) at its first page.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SetDirect(Heap* h, int bin, Page* pg)
    {
        uint bs = SizeClasses.BlockSize(bin);
        if (bs > Heap.DirectMaxSize) return;
        uint lower = bin == 0 ? 0 : SizeClasses.BlockSize(bin - 1);
        Page** direct = Heap.DirectOf(h);
        Page* target = pg != null ? pg : EmptyPage.Instance;
        // Slot s serves sizes 16(s-1)+1 .. 16s; slot 0 is size 0 (bin 0).
        for (uint s = bin == 0 ? 0u : lower / 16 + 1; s <= bs / 16; s++) direct[s] = target;
    }

    /// <summary>
    /// Trim: every empty page of the heap back to the arena: the empty list, and pages in the
    /// queues or on the full list that remote frees emptied (collected here; each bin's first
    /// page too, unless it still has blocks on Free). Owner thread only.
    /// </summary>
    public static void ReleaseEmpty(Heap* h)
    {
        EmptyPages.Release(h, keepBytes: 0);
        Page** firsts = Heap.FirstOf(h);
        for (int bin = 0; bin < SizeClasses.Count; bin++)
        {
            for (Page* pg = firsts[bin]; pg != null;)
            {
                Page* next = pg->Next;
                CollectRemote(pg);
                if (IsEmpty(pg)) { Unlink(h, pg); Arena.Arena.FreeSpan(pg); }
                pg = next;
            }
        }
        for (Page* pg = h->Full; pg != null;)
        {
            Page* next = pg->Next;
            if (pg->ThreadFree != null)
            {
                UnlinkFull(h, pg);
                CollectRemote(pg);
                if (IsEmpty(pg)) Arena.Arena.FreeSpan(pg); else PushBack(h, pg);
            }
            pg = next;
        }
    }
}
