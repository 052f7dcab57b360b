using System.Diagnostics;
using Ebb.Os;

namespace Ebb.Arena;

/// <summary>
/// Where chunks come from. mmap: regions of 8 chunks (256 MiB) reserved at once with
/// MAP_NORESERVE, read-write from the start (untouched pages cost no RSS, so no commit step
/// and no mprotect is needed), aligned to the chunk size by trimming the ends; one chunk
/// at a time when address space is short. brk: the break is raised to the next chunk
/// boundary plus one chunk; only a chunk at the very top can be given back by lowering it.
/// Called under the arena lock.
/// </summary>
internal static unsafe class ChunkSource
{
    private static nuint s_regionNext, s_regionEnd;

    /// <summary>Bytes of address space reserved for chunks so far (released ones subtracted).</summary>
    public static long ReservedBytes;

    /// <summary>A fresh, zeroed, chunk-aligned chunk, or 0 when the OS refuses.</summary>
    public static nuint Take(EbbPageSource source)
    {
        if (source == EbbPageSource.Brk)
        {
            nuint b = TakeFromBreak();
            if (b != 0)
            {
                if (PageMap.Commit(b)) return b;
                TryReleaseBrkChunk(b);
                return 0;
            }
            Arena.Log(LogEvent.BrkRefused);
        }
        if (s_regionNext == s_regionEnd && !ReserveRegion()) return 0;
        nuint chunk = s_regionNext;
        // The chunk's page-map entries must be writable first; if not, it stays for a later try.
        if (!PageMap.Commit(chunk)) return 0;
        s_regionNext += Layout.ChunkSize;
        return chunk;
    }

    private static bool ReserveRegion()
    {
        // A whole region, or when the address space is short or limited (ulimit -v: a region
        // reserved ahead would take room the process's huge blocks need), a single chunk.
        for (int chunks = OsMemory.AddressSpaceLimited ? 1 : Layout.ChunksPerRegion; chunks >= 1; chunks = chunks == 1 ? 0 : 1)
        {
            nuint size = (nuint)chunks * Layout.ChunkSize;
            nint raw = MapAligned(size, Layout.ChunkSize);
            if (raw == 0) continue;
            OsMemory.TryNameMapping(raw, size, MappingName.Regions);
            s_regionNext = (nuint)raw;
            s_regionEnd = (nuint)raw + size;
            ReservedBytes += (long)size;
            Arena.Log(LogEvent.ReservedRegion, size, (nuint)raw);
            return true;
        }
        return false;
    }

    /// <summary>Unmaps a wholly free mmap chunk whose map entries are cleared and which has left the arena's list.</summary>
    public static void ReleaseChunk(nuint chunk)
    {
        Debug.Assert(ArenaLock.IsHeld);
        Debug.Assert(ChunkMap.Get(chunk) == ChunkMap.None);
        OsMemory.TryUnmap((nint)chunk, Layout.ChunkSize);
        ReservedBytes -= (long)Layout.ChunkSize;
        Arena.Log(LogEvent.UnmappedChunk, chunk);
    }

    /// <summary>Unmaps the part of the current region no chunk was taken from yet; the next chunk reserves a fresh region.</summary>
    public static void ReleaseUnusedRegion()
    {
        Debug.Assert(ArenaLock.IsHeld);
        if (s_regionNext == s_regionEnd) return;
        nuint size = s_regionEnd - s_regionNext;
        OsMemory.TryUnmap((nint)s_regionNext, size);
        ReservedBytes -= (long)size;
        Arena.Log(LogEvent.UnmappedRegion, size, s_regionNext);
        s_regionNext = s_regionEnd = 0;
    }

    /// <summary>
    /// Maps <paramref name="size"/> bytes aligned to <paramref name="alignment"/>, or 0. The
    /// over-map that finds an aligned place (size + alignment) is a PROT_NONE, MAP_NORESERVE
    /// reservation, trimmed at both ends; a block that must be committed (<paramref name="noReserve"/>
    /// false) is then mapped over its aligned range alone, so under strict overcommit only the block
    /// is charged, never the slack of a large alignment.
    /// </summary>
    public static nint MapAligned(nuint size, nuint alignment, bool noReserve = true)
    {
        nint raw = OsMemory.TryMap(0, size + alignment, noReserve ? Prot.ReadWrite : Prot.None,
            MapFlags.Private | MapFlags.Anonymous | MapFlags.NoReserve, -1, 0, out _);
        if (raw == 0) return 0;
        nuint start = Layout.AlignUp((nuint)raw, alignment);
        nuint head = start - (nuint)raw, tail = alignment - head;
        if (head != 0) OsMemory.TryUnmap(raw, head);
        if (tail != 0) OsMemory.TryUnmap((nint)(start + size), tail);
        if (noReserve) return (nint)start;
        nint block = OsMemory.TryMap((nint)start, size, Prot.ReadWrite, MapFlags.Private | MapFlags.Anonymous | MapFlags.Fixed, -1, 0, out _);
        if (block != 0) return block;
        OsMemory.TryUnmap((nint)start, size);
        return 0;
    }

    // The break is moved with libc's sbrk, never the raw system call: glibc's malloc keeps
    // its own copy of the break (__curbrk) and computes its next sbrk from it, so a raw brk
    // would leave that copy stale and glibc's next sbrk would cut our chunk off the top.
    // (sbrk itself is not thread-safe against glibc's malloc growing its heap at the same
    // instant; the brk source is a demonstration and documented as such.)
    private static nuint TakeFromBreak()
    {
        for (int attempt = 0; attempt < 3; attempt++)
        {
            nuint current = (nuint)OsMemory.TrySbrk(0, out _);
            if (current == unchecked((nuint)(-1))) return 0;
            nuint start = Layout.AlignUp(current, Layout.ChunkSize);
            nuint end = start + Layout.ChunkSize;
            nuint old = (nuint)OsMemory.TrySbrk((nint)(end - current), out _);
            if (old == unchecked((nuint)(-1))) return 0;
            if (old == current)
            {
                ReservedBytes += (long)(end - current);
                Arena.Log(LogEvent.RaisedBreak, current, end, start);
                return start;
            }
            // Someone moved the break between the two calls; what we got is [old, old + increment).
            nuint got = old + (end - current), alignedStart = Layout.AlignUp(old, Layout.ChunkSize);
            ReservedBytes += (long)(end - current);
            if (alignedStart + Layout.ChunkSize <= got) return alignedStart;
        }
        return 0;
    }

    /// <summary>
    /// Gives a wholly free brk chunk back by lowering the break, if it is the top of the heap
    /// and nothing (glibc's own sbrk) moved the break since. Returns whether it did.
    /// </summary>
    public static bool TryReleaseBrkChunk(nuint chunk)
    {
        nuint end = chunk + Layout.ChunkSize;
        if ((nuint)OsMemory.TrySbrk(0, out _) != end) return false;
        if (OsMemory.TrySbrk(-(nint)Layout.ChunkSize, out _) == -1) return false;
        ReservedBytes -= (long)Layout.ChunkSize;
        Arena.Log(LogEvent.LoweredBreak, chunk);
        return true;
    }
}
