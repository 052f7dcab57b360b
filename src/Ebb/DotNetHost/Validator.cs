using Ebb.Heap;
using System.Numerics;
using Ebb.Arena;

namespace Ebb.DotNetHost;

/// <summary>
/// <see cref="EbbMemory.Validate"/>: checks the invariants written next to the fields —
/// slice map against the used bits and spans, page descriptors against their size class,
/// and, for the calling thread's own heap (the only one whose lists it may walk), queues,
/// direct slots and free lists. Throws heap-corruption on the first violation.
/// </summary>
internal static unsafe class Validator
{
    public static void Validate()
    {
        using (Arena.ArenaLock.Hold())
        {
            for (Chunk* c = Arena.Arena.FirstChunk; c != null; c = c->Next) ValidateChunk(c);
        }
        Heap.Heap* h = ThreadHeap.Current;
        if (h != null) ValidateHeap(h);
    }

    private static void Fail(nuint address, string what) =>
        throw new EbbMemoryException(EbbErrorKind.HeapCorruption, (nint)address, what);

    private static void ValidateChunk(Chunk* c)
    {
        nuint cb = (nuint)c;
        if (ChunkMap.Get(cb) != ChunkMap.Chunk) Fail(cb, $"chunk {FreeErrors.Hex(cb)} is missing from the chunk map");
        int usedBits = 0;
        for (int w = 0; w < Layout.SlicesPerChunk / 64; w++)
        {
            usedBits += BitOperations.PopCount(c->Used[w]);
            if ((c->Used[w] & c->Dirty[w]) != 0) Fail(cb, $"chunk {FreeErrors.Hex(cb)} has slices both in use and dirty-free");
        }
        if (usedBits != c->UsedSlices) Fail(cb, $"chunk {FreeErrors.Hex(cb)} counts {c->UsedSlices} slices in use but its bitmap has {usedBits}");
        Page** map = Chunk.SliceMap(c);
        for (int i = 0; i < Layout.HeaderSlices; i++)
            if (map[i]->Kind != PageKind.Header) Fail(cb, $"chunk {FreeErrors.Hex(cb)}: header slice {i} is not marked as header");
        for (int i = Layout.HeaderSlices; i < Layout.SlicesPerChunk;)
        {
            Page* pg = map[i];
            nuint slice = Chunk.SliceAddress(c, i);
            if (!Chunk.Test(c->Used, i))
            {
                if (pg != Chunk.PageAt(c, i) || pg->Kind != PageKind.Free || pg->LocalHeap != HeapState.None)
                    Fail(slice, $"free slice at {FreeErrors.Hex(slice)} has a bad descriptor");
                i++;
                continue;
            }
            if (pg != Chunk.PageAt(c, i) || pg->SliceCount == 0 || i + pg->SliceCount > Layout.SlicesPerChunk)
                Fail(slice, $"slice at {FreeErrors.Hex(slice)} in use does not start a span");
            for (int k = i; k < i + (int)pg->SliceCount; k++)
                if (map[k] != pg || !Chunk.Test(c->Used, k)) Fail(Chunk.SliceAddress(c, k), $"slice at {FreeErrors.Hex(Chunk.SliceAddress(c, k))} is not mapped to its span's page");
            nuint spanStart = slice, spanEnd = slice + ((nuint)pg->SliceCount << Layout.SliceShift);
            if (pg->Kind == PageKind.Free)
            {
                // Taken from the arena, being set up by its thread (the kind is written last).
                i += (int)pg->SliceCount;
                continue;
            }
            if (pg->Kind == PageKind.Small)
            {
                // Fields fixed while the page lives are checked on every page; the counters its
                // owner changes without the lock (Capacity, AreaSize, DivLimit, Used) only on the calling
                // thread's own pages and on abandoned ones (changed under the lock held here).
                uint bs = SizeClasses.BlockSize(pg->Bin);
                if (pg->BlockSize != bs || pg->Start < spanStart || pg->Start + (nuint)pg->Reserved * bs > spanEnd
                    || pg->DivMagic != Page.MagicFor(bs))
                    Fail(slice, $"page at {FreeErrors.Hex(slice)} has inconsistent size-class fields");
                Heap.Heap* owner = pg->Heap;
                if ((owner == null || owner == ThreadHeap.Current)
                    && (pg->AreaSize != (nuint)pg->Capacity * bs || pg->Capacity == 0 || pg->DivLimit != Page.LimitFor(bs, pg->Capacity)
                        || pg->Capacity > pg->Reserved || pg->Used > pg->Capacity))
                    Fail(slice, $"page at {FreeErrors.Hex(slice)} counts {pg->Used} used of {pg->Capacity} carved of {pg->Reserved} blocks, inconsistently");
            }
            else if (pg->Kind == PageKind.Large)
            {
                if (pg->Start != spanStart || pg->AreaSize != spanEnd - spanStart)
                    Fail(slice, $"large block at {FreeErrors.Hex(slice)} has inconsistent fields");
            }
            else Fail(slice, $"slice at {FreeErrors.Hex(slice)} is in use but its page kind is {pg->Kind}");
            i += (int)pg->SliceCount;
        }
    }

    private static void ValidateHeap(Heap.Heap* h)
    {
        Page** firsts = Heap.Heap.FirstOf(h), lasts = Heap.Heap.LastOf(h), direct = Heap.Heap.DirectOf(h);
        for (int bin = 0; bin < SizeClasses.Count; bin++)
        {
            Page* prev = null;
            for (Page* pg = firsts[bin]; pg != null; prev = pg, pg = pg->Next)
            {
                if (pg->Prev != prev || pg->Bin != bin || pg->Heap != h || pg->LocalHeap != h || pg->Kind != PageKind.Small)
                    Fail(pg->Start, $"page at {FreeErrors.Hex(pg->Start)} is misfiled in its heap's queue for {SizeClasses.BlockSize(bin)}-byte blocks");
                ValidateLists(pg);
            }
            if (lasts[bin] != prev) Fail(0, $"the queue for {SizeClasses.BlockSize(bin)}-byte blocks has a bad tail");
        }
        for (int s = 0; s < Heap.Heap.OverflowSlot; s++)
        {
            Page* first = firsts[SizeClasses.BinOf((nuint)s * 16)];
            if (direct[s] != (first != null ? first : EmptyPage.Instance)) Fail(0, $"direct slot {s} does not point at its bin's first page");
        }
        if (direct[Heap.Heap.OverflowSlot] != EmptyPage.Instance) Fail(0, "the overflow slot does not point at the empty page");
        long emptyBytes = 0;
        Page* prevEmpty = null;
        for (Page* pg = h->Empty; pg != null; prevEmpty = pg, pg = pg->Next)
        {
            if ((pg->Flags & PageFlags.InEmpty) == 0 || pg->LocalHeap != HeapState.None || pg->Heap != h || pg->Prev != prevEmpty
                || pg->Used != 0 || pg->Free != null || pg->Kind != PageKind.Small)
                Fail(pg->Start, $"page at {FreeErrors.Hex(pg->Start)} on the empty list is not an empty page of this heap");
            ValidateLists(pg);
            emptyBytes += (long)pg->SliceCount << Layout.SliceShift;
        }
        if (h->EmptyTail != prevEmpty || h->EmptyBytes != emptyBytes)
            Fail(0, $"the empty list counts {h->EmptyBytes} bytes but holds {emptyBytes}, or has a bad tail");
        Page* prevFull = null;
        for (Page* pg = h->Full; pg != null; prevFull = pg, pg = pg->Next)
        {
            if (pg->Prev != prevFull) Fail(pg->Start, $"page at {FreeErrors.Hex(pg->Start)} on the full list has a bad back link");
            if ((pg->Flags & PageFlags.InFull) == 0 || pg->LocalHeap != HeapState.None || pg->Heap != h)
                Fail(pg->Start, $"page at {FreeErrors.Hex(pg->Start)} on the full list is not marked full");
            ValidateLists(pg);
        }
        if (h->FullTail != prevFull) Fail(0, "the full list has a bad tail");
    }

    private static void ValidateLists(Page* pg)
    {
        uint free = Walk(pg, pg->Free, "free"), local = Walk(pg, pg->LocalFree, "local free");
        // Used counts the blocks on Free as in use (the alloc fast path does not count): Used + |LocalFree| = Capacity.
        if (local + pg->Used != pg->Capacity || free > pg->Used)
            Fail(pg->Start, $"page at {FreeErrors.Hex(pg->Start)} has {free} free + {local} locally freed blocks and counts {pg->Used} in use (free ones included), which does not add up to its {pg->Capacity}");
    }

    private static uint Walk(Page* pg, Block* b, string list)
    {
        uint n = 0;
        for (; b != null; b = b->Next)
        {
            nuint off = (nuint)b - pg->Start;
            if (off >= pg->AreaSize || off % pg->BlockSize != 0)
                Fail((nuint)b, $"the {list} list of the {pg->BlockSize}-byte page at {FreeErrors.Hex(pg->Start)} holds {FreeErrors.Hex((nuint)b)}, not one of its blocks (a write after free?)");
            // Every block on a free list carries the free mark: a block without it was written after it was freed.
            if (b->Mark != BlockMark.Of(pg))
                Fail((nuint)b, $"the free {pg->BlockSize}-byte block at {FreeErrors.Hex((nuint)b)} lost its free mark (a write after free?)");
            if (++n > pg->Capacity)
                Fail(pg->Start, $"the {list} list of the {pg->BlockSize}-byte page at {FreeErrors.Hex(pg->Start)} has a cycle (a double free?)");
        }
        return n;
    }
}
