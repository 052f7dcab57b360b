using System.Diagnostics;
using System.Runtime.InteropServices;
using Ebb.Heap;
using Ebb.Os;

namespace Ebb.Arena;

/// <summary>The first page of a huge mapping, chunk-aligned, so the chunk map leads to it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct HugeHeader
{
    /// <summary>Bytes mapped, header included.</summary>
    public nuint MapSize;
    /// <summary>The block's address (after the header page, or at the requested alignment).</summary>
    public nuint BlockStart;
    /// <summary>The explicit heap owning it, or null.</summary>
    public Heap.Heap* Heap;
    public HugeHeader* Next, Prev;

    /// <summary>Usable bytes of the block: everything mapped after its start.</summary>
    public static nuint Usable(HugeHeader* h) => (nuint)h + h->MapSize - h->BlockStart;
}

/// <summary>
/// Blocks above <see cref="Layout.HugeThreshold"/>: each its own mapping, aligned to a chunk
/// so the chunk map marks it (HugeHead, then HugeBody for the rest) and a free finds its
/// header. Freed mappings up to 64 MiB wait in a small cache to spare the next one the mmap:
/// dirty for the purge delay, as freed spans are (so a program that frees and allocates a
/// huge block again does not fault in and clear every page of it once more), at most
/// <see cref="MaxDirtyCached"/> bytes of them, then purged (costing no RSS) until they expire
/// after a second; Realloc grows them with mremap, in place when the
/// kernel can, else moved to a fresh chunk-aligned place without copying. Under the arena lock.
/// A header is read only under that lock, after the chunk map says the mapping is there: a
/// mapping is unmapped (a free, a Dispose, an expired cache slot) only under the lock, so a
/// lookup racing a free never reads memory that is gone.
/// </summary>
internal static unsafe class Huge
{
    private const int CacheSlots = 4;
    private const nuint MaxCached = 64 * 1024 * 1024;
    /// <summary>Bytes of freed huge mappings kept resident (not yet purged) at most, all slots together.</summary>
    public const long MaxDirtyCached = 64 * 1024 * 1024;
    /// <summary>How long a purged mapping stays cached before it is unmapped.</summary>
    private const int UnmapAfterMs = 1000;

    /// <summary>
    /// The cache's slots: a mapping's base (0 = empty slot), its size, when it was cached, and
    /// whether it is still dirty (its pages resident, their contents the old block's).
    /// Invariant: <see cref="DirtyCachedBytes"/> is the sum of the sizes of the dirty slots.
    /// </summary>
    private struct Cache
    {
        public fixed ulong Base[CacheSlots];
        public fixed ulong Size[CacheSlots];
        public fixed int Time[CacheSlots];
        public fixed bool Dirty[CacheSlots];
    }

    private static Cache s_cache;

    /// <summary>Huge blocks live and their bytes (for stats); bytes cached, and how many of them dirty.</summary>
    public static long LiveBlocks, LiveBytes, CachedBytes, DirtyCachedBytes;

    public static void* Alloc(Heap.Heap* heap, nuint size, nuint alignment, bool zero)
    {
        Arena.Initialize();
        nuint offset = Math.Max(Layout.HugeHeaderSize, alignment);
        if (size > ((nuint)1 << 46) || alignment > ((nuint)1 << 40)) return null;
        nuint mapSize = OsMemory.RoundUpToPage(offset + size);
        nuint b;
        bool known0;
        using (ArenaLock.Hold()) b = TakeCached(mapSize, out mapSize, out known0);
        if (b == 0)
        {
            b = (nuint)ChunkSource.MapAligned(mapSize, Math.Max(Layout.ChunkSize, alignment), noReserve: false);
            if (b == 0) return null;
            OsMemory.TryNameMapping((nint)b, mapSize, MappingName.Regions);
            Arena.Log(LogEvent.MappedHuge, mapSize, b);
            known0 = true;
        }
        HugeHeader* hdr = (HugeHeader*)b;
        hdr->MapSize = mapSize;
        hdr->BlockStart = b + offset;
        hdr->Heap = heap;
        hdr->Next = hdr->Prev = null;
        using (ArenaLock.Hold())
        {
            ChunkMap.Set(b, mapSize, ChunkMap.HugeHead, ChunkMap.HugeBody);
            if (heap != null && heap->Kind == HeapKind.Explicit) Link(heap, hdr); else hdr->Heap = null;
            Account(hdr, +1);
        }
        if (zero && !known0) NativeMemory.Clear((void*)hdr->BlockStart, size);
        return (void*)hdr->BlockStart;
    }

    /// <summary>The header of the huge mapping containing <paramref name="address"/> (whose chunk map entry is HugeHead or HugeBody). The caller holds the arena lock.</summary>
    public static HugeHeader* HeaderOf(nuint address)
    {
        Debug.Assert(ArenaLock.IsHeld);
        nuint c = address & ~Layout.ChunkMask;
        while (ChunkMap.Get(c) == ChunkMap.HugeBody) c -= Layout.ChunkSize;
        return (HugeHeader*)c;
    }

    /// <summary>
    /// Whether <paramref name="address"/> lies in a live huge mapping, and if so where the mapping
    /// and its block are. Takes the lock and re-reads the chunk map under it, so a mapping freed
    /// meanwhile reads as absent instead of being dereferenced.
    /// </summary>
    public static bool TryFind(nuint address, out nuint mapStart, out nuint mapSize, out nuint blockStart)
    {
        using (ArenaLock.Hold())
        {
            byte kind = ChunkMap.Get(address);
            if (kind is ChunkMap.HugeHead or ChunkMap.HugeBody)
            {
                HugeHeader* h = HeaderOf(address);
                mapStart = (nuint)h;
                mapSize = h->MapSize;
                blockStart = h->BlockStart;
                return true;
            }
        }
        mapStart = mapSize = blockStart = 0;
        return false;
    }

    /// <summary>Frees the huge block at <paramref name="p"/>, already checked to be a block start. Returns false if it was freed meanwhile (double free).</summary>
    public static bool Free(void* p)
    {
        using (ArenaLock.Hold())
        {
            nuint a = (nuint)p;
            byte kind = ChunkMap.Get(a);
            if (kind != ChunkMap.HugeHead && kind != ChunkMap.HugeBody) return false;
            HugeHeader* hdr = HeaderOf(a);
            if (a != hdr->BlockStart) return false;
            ReleaseLocked(hdr);
            return true;
        }
    }

    private static void ReleaseLocked(HugeHeader* hdr)
    {
        nuint b = (nuint)hdr, size = hdr->MapSize;
        if (hdr->Heap != null) Unlink(hdr->Heap, hdr);
        Account(hdr, -1);
        FreedHuge.RecordLocked(hdr->BlockStart, HugeHeader.Usable(hdr));
        ChunkMap.Clear(b, size);
        if (size <= MaxCached && Settings.PurgeDelayMs != 0)
        {
            for (int i = 0; i < CacheSlots; i++)
            {
                if (s_cache.Base[i] != 0) continue;
                bool dirty = DirtyCachedBytes + (long)size <= MaxDirtyCached;
                if (!dirty && !OsMemory.TryAdvise((nint)b, size, Advice.DontNeed)) break;
                s_cache.Base[i] = b;
                s_cache.Size[i] = size;
                s_cache.Time[i] = Arena.Now;
                s_cache.Dirty[i] = dirty;
                CachedBytes += (long)size;
                if (dirty)
                {
                    DirtyCachedBytes += (long)size;
                    if (Settings.PurgeDelayMs > 0) Host.WakePurger();
                }
                return;
            }
        }
        OsMemory.TryUnmap((nint)b, size);
    }

    private static nuint TakeCached(nuint need, out nuint mapSize, out bool zero)
    {
        zero = true;
        mapSize = need;
        for (int i = 0; i < CacheSlots; i++)
        {
            if (s_cache.Base[i] == 0 || s_cache.Size[i] < need || s_cache.Size[i] > need * 2) continue;
            nuint b = (nuint)s_cache.Base[i];
            mapSize = (nuint)s_cache.Size[i];
            zero = !s_cache.Dirty[i];
            Forget(i);
            return b;
        }
        return 0;
    }

    private static void Forget(int i)
    {
        CachedBytes -= (long)s_cache.Size[i];
        if (s_cache.Dirty[i]) DirtyCachedBytes -= (long)s_cache.Size[i];
        s_cache.Base[i] = 0;
        s_cache.Dirty[i] = false;
        Debug.Assert(CachedBytes >= 0 && DirtyCachedBytes >= 0 && DirtyCachedBytes <= CachedBytes);
    }

    /// <summary>
    /// Purges cached mappings that stayed dirty for the purge delay and unmaps those cached a
    /// second ago (when <paramref name="all"/>, every one at once). Returns the ms until the next
    /// dirty one is due, or -1 when none waits.
    /// </summary>
    public static int ExpireCacheLocked(bool all = false)
    {
        int now = Arena.Now, delay = Math.Max(0, Settings.PurgeDelayMs), next = -1;
        for (int i = 0; i < CacheSlots; i++)
        {
            if (s_cache.Base[i] == 0) continue;
            int age = now - s_cache.Time[i];
            if (all || age >= UnmapAfterMs)
            {
                OsMemory.TryUnmap((nint)s_cache.Base[i], (nuint)s_cache.Size[i]);
                Forget(i);
            }
            else if (s_cache.Dirty[i] && Settings.PurgeDelayMs >= 0)
            {
                if (age < delay) { if (next < 0 || delay - age < next) next = delay - age; }
                else if (OsMemory.TryAdvise((nint)s_cache.Base[i], (nuint)s_cache.Size[i], Advice.DontNeed))
                {
                    s_cache.Dirty[i] = false;
                    DirtyCachedBytes -= (long)s_cache.Size[i];
                }
            }
        }
        return next;
    }

    /// <summary>
    /// Grows or shrinks the huge block at <paramref name="p"/> to <paramref name="size"/> bytes with
    /// mremap: in place if the kernel can, else moved (pages, not bytes) to a fresh chunk-aligned
    /// place. Returns the block's address, or null when the OS refuses; throws double-free when the
    /// block was freed since the caller looked it up.
    /// </summary>
    public static void* Resize(void* p, nuint size)
    {
        using (ArenaLock.Hold())
        {
            // Looked up again under the lock: a free or a Dispose may have unmapped it since the caller looked.
            byte kind = ChunkMap.Get((nuint)p);
            if (kind is not (ChunkMap.HugeHead or ChunkMap.HugeBody) || HeaderOf((nuint)p)->BlockStart != (nuint)p)
                Host.FreeFailed(FreeError.DoubleFree, p, new BlockInfo { Kind = BlockKind.FreeMemory });
            HugeHeader* hdr = HeaderOf((nuint)p);
            nuint offset = hdr->BlockStart - (nuint)hdr;
            nuint need = OsMemory.RoundUpToPage(offset + size);
            if (need <= hdr->MapSize && need >= hdr->MapSize / 2) return p;
            nuint oldBase = (nuint)hdr, oldSize = hdr->MapSize, oldUsable = HugeHeader.Usable(hdr);
            Heap.Heap* heap = hdr->Heap;
            // Unlinked and uncounted while the old address is still mapped; relinked at the new one.
            if (heap != null) Unlink(heap, hdr);
            Account(hdr, -1);
            nint moved = OsMemory.TryRemap((nint)oldBase, oldSize, need, RemapFlags.None, 0, out _);
            nuint newBase = 0;
            if (moved != 0) newBase = oldBase;
            else
            {
                // Reserve a chunk-aligned hole, then move the pages into it.
                nint hole = ChunkSource.MapAligned(need, Layout.ChunkSize);
                if (hole != 0)
                {
                    moved = OsMemory.TryRemap((nint)oldBase, oldSize, need, RemapFlags.MayMove | RemapFlags.Fixed, hole, out _);
                    if (moved == 0) OsMemory.TryUnmap(hole, need);
                    else newBase = (nuint)moved;
                }
            }
            if (newBase == 0)
            {
                if (heap != null) Link(heap, hdr);
                Account(hdr, +1);
                return null;
            }
            ChunkMap.Clear(oldBase, oldSize);
            // A block that moved was freed at its old address, as far as a later free of that address goes.
            if (newBase != oldBase) FreedHuge.RecordLocked(oldBase + offset, oldUsable);
            hdr = (HugeHeader*)newBase;
            hdr->MapSize = need;
            hdr->BlockStart = newBase + offset;
            hdr->Next = hdr->Prev = null;
            ChunkMap.Set(newBase, need, ChunkMap.HugeHead, ChunkMap.HugeBody);
            if (heap != null) Link(heap, hdr);
            Account(hdr, +1);
            return (void*)hdr->BlockStart;
        }
    }

    private static void Account(HugeHeader* hdr, int sign)
    {
        LiveBlocks += sign;
        LiveBytes += sign * (long)hdr->MapSize;
        Arena.CommittedBytes += sign * (long)hdr->MapSize;
        if (Arena.CommittedBytes > Arena.PeakCommittedBytes) Arena.PeakCommittedBytes = Arena.CommittedBytes;
    }

    private static void Link(Heap.Heap* heap, HugeHeader* hdr)
    {
        hdr->Heap = heap;
        hdr->Prev = null;
        hdr->Next = heap->Huge;
        if (heap->Huge != null) heap->Huge->Prev = hdr;
        heap->Huge = hdr;
    }

    private static void Unlink(Heap.Heap* heap, HugeHeader* hdr)
    {
        if (hdr->Prev != null) hdr->Prev->Next = hdr->Next; else heap->Huge = hdr->Next;
        if (hdr->Next != null) hdr->Next->Prev = hdr->Prev;
        hdr->Next = hdr->Prev = null;
    }

    /// <summary>An explicit heap is abandoned: its huge blocks stay, no longer its.</summary>
    public static void Detach(Heap.Heap* heap)
    {
        for (HugeHeader* h = heap->Huge; h != null;)
        {
            HugeHeader* next = h->Next;
            h->Heap = null;
            h->Next = h->Prev = null;
            h = next;
        }
        heap->Huge = null;
    }

    /// <summary>An explicit heap is disposed: every huge block of it goes.</summary>
    public static void FreeAllLocked(Heap.Heap* heap)
    {
        while (heap->Huge != null) ReleaseLocked(heap->Huge);
    }
}
