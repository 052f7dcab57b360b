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
    private static nuint regionNext, regionEnd;

    /// <summary>Bytes of address space reserved for chunks so far (released ones subtracted).</summary>
    public static long ReservedBytes;

    /// <summary>A fresh, zeroed, chunk-aligned chunk, or 0 when the OS refuses.</summary>
    public static nuint Take(EbbPageSource source)
    {
        if (source == EbbPageSource.Brk)
        {
            nuint b = TakeFromBreak();
            if (b != 0) return b;
            Arena.Log("brk refused; taking chunks from mmap instead");
        }
        if (regionNext == regionEnd && !ReserveRegion()) return 0;
        nuint chunk = regionNext;
        regionNext += Layout.ChunkSize;
        return chunk;
    }

    private static bool ReserveRegion()
    {
        foreach (int chunks in new[] { Layout.ChunksPerRegion, 1 })
        {
            nuint size = (nuint)chunks * Layout.ChunkSize;
            nint raw = MapAligned(size, Layout.ChunkSize);
            if (raw == 0) continue;
            OsMemory.TryNameMapping(raw, size, "ebb");
            regionNext = (nuint)raw;
            regionEnd = (nuint)raw + size;
            ReservedBytes += (long)size;
            Arena.Log($"reserved {size >> 20} MiB at 0x{(nuint)raw:x} for chunks");
            return true;
        }
        return false;
    }

    /// <summary>Maps <paramref name="size"/> bytes aligned to <paramref name="alignment"/> (over-map, trim both ends), or 0.</summary>
    public static nint MapAligned(nuint size, nuint alignment, bool noReserve = true)
    {
        var flags = MapFlags.Private | MapFlags.Anonymous | (noReserve ? MapFlags.NoReserve : 0);
        nint raw = OsMemory.TryMap(0, size + alignment, Prot.ReadWrite, flags, -1, 0, out _);
        if (raw == 0) return 0;
        nuint start = Layout.AlignUp((nuint)raw, alignment);
        nuint head = start - (nuint)raw, tail = alignment - head;
        if (head != 0) OsMemory.Unmap(raw, head);
        if (tail != 0) OsMemory.Unmap((nint)(start + size), tail);
        return (nint)start;
    }

    private static nuint TakeFromBreak()
    {
        nuint current = (nuint)OsMemory.CurrentBreak;
        nuint start = Layout.AlignUp(current, Layout.ChunkSize);
        nuint end = start + Layout.ChunkSize;
        if ((nuint)OsMemory.Brk((nint)end) != end) return 0;
        ReservedBytes += (long)(end - current);
        Arena.Log($"raised the break from 0x{current:x} to 0x{end:x} for a chunk at 0x{start:x}");
        return start;
    }

    /// <summary>
    /// Gives a wholly free brk chunk back by lowering the break, if it is the top of the heap
    /// and nothing (glibc's own sbrk) moved the break since. Returns whether it did.
    /// </summary>
    public static bool TryReleaseBrkChunk(nuint chunk)
    {
        nuint end = chunk + Layout.ChunkSize;
        if ((nuint)OsMemory.CurrentBreak != end) return false;
        if ((nuint)OsMemory.Brk((nint)chunk) != chunk) return false;
        ReservedBytes -= (long)Layout.ChunkSize;
        Arena.Log($"lowered the break to 0x{chunk:x}, giving back a 32 MiB chunk");
        return true;
    }
}
