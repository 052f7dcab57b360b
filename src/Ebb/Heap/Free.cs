using System.Runtime.CompilerServices;
using Ebb.Arena;

namespace Ebb.Heap;

/// <summary>
/// Freeing. The fast path (first method): the flat page map (<see cref="PageMap"/>, a static
/// readonly, so a constant in the code) gives the pointer's page, or null when the pointer is
/// not in one of Ebb's chunks; if the page is the calling thread's (its LocalHeap is
/// never null, so a thread without a heap never matches), the offset is the start of a carved
/// block (one multiply and one compare: <see cref="Page.IsBlockStart"/>, which also rejects the
/// slack before block 0 and the part not carved yet) and the block is not marked free
/// (<see cref="BlockMark"/>: a double free, or a block never handed out), mark it freed and push it
/// on the page's LocalFree list (LIFO; allocation pops Free, which frees never touch, mimalloc's
/// local_free split). Everything else — another thread's page (remote free), a full page, a
/// block marked free, large and huge blocks, and every invalid pointer — goes to
/// <see cref="FreeSlow"/>.
/// </summary>
internal static unsafe class Dealloc
{
    /// <summary>Frees <paramref name="p"/>; <paramref name="h"/> is the calling thread's heap as the host's thread-local slot holds it (null when it has none).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(Heap* h, void* p)
    {
        nuint a = (nuint)p;
        nuint s = a >> Layout.SliceShift;
        if (s < PageMap.Entries)
        {
            Page* pg = PageMap.Base[s];
            if (pg != null)
            {
                if (pg->LocalHeap == h && Page.IsBlockStart(a - pg->Start, pg->DivMagic, pg->DivLimit) && ((Block*)p)->Mark != BlockMark.Of(pg))
                {
                    ((Block*)p)->Next = pg->LocalFree;
                    ((Block*)p)->Mark = BlockMark.Of(pg);
                    pg->LocalFree = (Block*)p;
                    // Not `--pg->Used == 0`: the JIT turns that into an address, a load, a
                    // decrement, a store and a test; this way one instruction fewer.
                    uint used = pg->Used - 1;
                    pg->Used = used;
                    if (used == 0) EmptyPages.PageEmptied(pg);
                    return;
                }
                FreeInChunk(p, pg, h);
                return;
            }
        }
        FreeSlow(p, h);
    }

    /// <summary>
    /// A pointer in one of Ebb's chunks that the fast path did not take, with its page and the
    /// calling thread's heap already looked up: the common case, a block start in another
    /// thread's page (a producer/consumer pair's every free), goes straight to the remote free
    /// with the heap the caller already has.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void FreeInChunk(void* p, Page* pg, Heap* h)
    {
        if (pg->Kind == PageKind.Small && Page.IsBlockStart((nuint)p - pg->Start, pg->DivMagic, pg->DivLimit)) FreeSmall(p, pg, h);
        else FreeSlow(p, h);
    }

    // ---- slow path --------------------------------------------------------------------

    /// <summary>Frees anything Ebb handed out, from any thread; anything else goes to <see cref="Host.FreeFailed"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void FreeSlow(void* p, Heap* h)
    {
        if (p == null) return;
        // A free can come before any allocation (in libebb.so, a pointer from the loader's own allocator).
        if (!Arena.Arena.IsInitialized) Host.Start();
        // The common slow case first, without the general lookup's division: a valid block
        // start in another thread's (or a full) page, as a producer/consumer pair frees.
        nuint a = (nuint)p;
        if (ChunkMap.Get(a) == ChunkMap.Chunk)
        {
            Page* pg = Chunk.SliceMap((Chunk*)(a & ~Layout.ChunkMask))[(a >> Layout.SliceShift) & Layout.SliceIndexMask];
            if (pg->Kind == PageKind.Small && Page.IsBlockStart(a - pg->Start, pg->DivMagic, pg->DivLimit))
            {
                FreeSmall(p, pg, h);
                return;
            }
        }
        // Sampled mode's guarded slots lie outside the chunks, so their frees come here and
        // the fast path pays nothing for them.
        else if (Host.TryFreeForeign(p)) return;
        var info = Blocks.Find(p);
        switch (info.Kind)
        {
            case BlockKind.Small when info.Offset == 0:
                FreeSmall(p, info.Page, h);
                return;
            case BlockKind.Large when info.Offset == 0:
                FreeLarge(info.Page, p);
                return;
            case BlockKind.Huge when info.Offset == 0:
                if (!Huge.Free(p)) Host.FreeFailed(FreeError.DoubleFree, p, info);
                return;
            case BlockKind.FreeMemory:
                Host.FreeFailed(FreeError.DoubleFree, p, info);
                return;
            case BlockKind.NotEbb:
                Host.ForeignFree(p, info);
                return;
            default:
                Host.FreeFailed(FreeError.InvalidFree, p, info);
                return;
        }
    }

    /// <summary>Frees a block start of a small page; <paramref name="h"/> is the calling thread's heap (null when it has none).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FreeSmall(void* p, Page* pg, Heap* h)
    {
        Block* b = (Block*)p;
        FreeBlockCheck.ThrowIfFree(p, pg, h);
        if (pg->Heap == h && h != null)
        {
            // Our own page, off the fast path: full, or a live block whose second word holds the mark.
            if (pg->Used == 0) Host.FreeFailed(FreeError.DoubleFree, p, Blocks.Find(p));
            b->Next = pg->LocalFree;
            b->Mark = BlockMark.Of(pg);
            pg->LocalFree = b;
            if ((pg->Flags & PageFlags.InFull) != 0)
            {
                Pages.UnlinkFull(h, pg);
                Pages.PushBack(h, pg);
            }
            if (--pg->Used == 0) EmptyPages.PageEmptied(pg);
            return;
        }
        // Remote free: one CAS onto ThreadFree; the owner (or an adopter, or the purge thread) collects.
        // A block free now was refused above by its mark, without reading the owner's lines. (Two
        // threads freeing the same block at the same instant can both pass: that race is not caught.)
        b->Mark = BlockMark.Of(pg);
        LockFreeList.Push((nint*)&pg->ThreadFree, (nint)b, (nint*)&b->Next);
        if ((pg->Flags & PageFlags.InFull) != 0)
        {
            Heap* owner = pg->Heap;
            // Written only when not set yet: freeing threads would otherwise bounce the line among themselves.
            if (owner != null && Volatile.Read(ref owner->RemoteOnFull) == 0) Volatile.Write(ref owner->RemoteOnFull, 1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FreeLarge(Page* pg, void* p)
    {
        using (Arena.ArenaLock.Hold())
        {
            // Checked again under the lock: two threads freeing the same large block.
            if (pg->Kind != PageKind.Large || pg->Start != (nuint)p) Host.FreeFailed(FreeError.DoubleFree, p, Blocks.Find(p));
            Heap* owner = pg->Heap;
            if (owner != null)
            {
                if (pg->Prev != null) pg->Prev->Next = pg->Next; else owner->Large = pg->Next;
                if (pg->Next != null) pg->Next->Prev = pg->Prev;
            }
            Arena.Arena.FreeSpanLocked(pg);
        }
    }
}
