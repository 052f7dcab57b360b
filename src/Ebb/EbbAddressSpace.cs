using Ebb.Arena;

namespace Ebb;

/// <summary>
/// Which parts of this process's address space Ebb's allocator holds: for tools that draw
/// the address space (<c>ebb map self</c>) on kernels that cannot name mappings
/// (<c>[anon:ebb]</c> needs CONFIG_ANON_VMA_NAME). Answered from the chunk map, so a query
/// costs one byte read per 32 MiB of the range asked about, under the arena lock.
/// </summary>
public static unsafe class EbbAddressSpace
{
    /// <summary>
    /// The name of the EventSource that reports <see cref="Regions"/> to a diagnostics session
    /// (EventPipe): enabled, it writes one <c>Region</c> event per range (<c>RequestId</c>,
    /// <c>Start</c>, <c>Length</c>, <c>Kind</c>: an <see cref="EbbRegionKind"/> name) and then one
    /// <c>End</c> event (<c>RequestId</c>, <c>Count</c>). <c>RequestId</c> echoes the session's
    /// provider argument of that name, so that a tool tells its answer from another session's.
    /// </summary>
    public const string EventSourceName = "Ebb-AddressSpace";

    /// <summary>
    /// Every range of the address space Ebb holds, with what it is, lowest address first: its
    /// arenas' chunks (adjacent chunks joined), each huge block's mapping, the page map and the
    /// chunk map reservations, and in sampled guarded mode the pool of guarded slots. Not listed:
    /// the 64 KiB blocks of the allocator's own descriptors (their places are not kept), the part
    /// of a chunk region no chunk was taken from yet, and the guard pages of <c>EBB_GUARD=all</c>.
    /// Empty when Ebb has not been used: asking does not start the allocator. Costs one read of
    /// the 4 MiB chunk map (without a lock; untouched pages read as the shared zero page, no RSS),
    /// then the arena lock while the chunks found are checked and the huge blocks measured.
    /// </summary>
    public static IReadOnlyList<EbbRegion> Regions()
    {
        var regions = new List<EbbRegion>();
        if (!Arena.Arena.IsInitialized) return regions;
        if (PageMap.Flat)
            regions.Add(new EbbRegion((ulong)PageMap.Base, (ulong)PageMap.Base + ((ulong)PageMap.Entries + 1) * (ulong)sizeof(nint), EbbRegionKind.PageMap));
        regions.Add(new EbbRegion((ulong)ChunkMap.Map, (ulong)ChunkMap.Map + Layout.ChunkMapEntries, EbbRegionKind.ChunkMap));
        if (Checks.Checker.s_sampled is { } pool)
            regions.Add(new EbbRegion((ulong)pool.PoolStart, (ulong)pool.PoolStart + pool.PoolLength, EbbRegionKind.GuardPool));

        // The chunks in use, found without the lock (a byte read is atomic); each is checked again under it.
        var map = new ReadOnlySpan<byte>(ChunkMap.Map, (int)Layout.ChunkMapEntries);
        var found = new List<int>();
        for (int at = 0, next; at < map.Length && (next = map[at..].IndexOfAnyExcept((byte)ChunkMap.None)) >= 0; at += next + 1)
            found.Add(at + next);
        using (Arena.ArenaLock.Hold())
        {
            ulong lastHuge = ulong.MaxValue;
            foreach (int index in found)
            {
                ulong chunk = (ulong)index << Layout.ChunkShift;
                switch (ChunkMap.Get((nuint)chunk))
                {
                    case ChunkMap.Chunk:
                        if (regions.Count > 0 && regions[^1] is { Kind: EbbRegionKind.ArenaChunks } last && last.End == chunk)
                            regions[^1] = last with { End = chunk + Layout.ChunkSize };
                        else regions.Add(new EbbRegion(chunk, chunk + Layout.ChunkSize, EbbRegionKind.ArenaChunks));
                        break;
                    case ChunkMap.HugeHead or ChunkMap.HugeBody:
                        HugeHeader* h = Huge.HeaderOf((nuint)chunk);
                        if ((ulong)h == lastHuge) continue;
                        lastHuge = (ulong)h;
                        regions.Add(new EbbRegion((ulong)h, (ulong)h + h->MapSize, EbbRegionKind.HugeBlock));
                        break;
                }
            }
        }
        regions.Sort((a, b) => a.Start.CompareTo(b.Start));
        return regions;
    }

    /// <summary>
    /// The parts of [<paramref name="start"/>, <paramref name="end"/>) that Ebb holds (its
    /// arenas' chunks and its huge blocks' mappings), in address order, adjacent parts joined.
    /// Empty when Ebb has not been used: asking does not start the allocator.
    /// </summary>
    public static IReadOnlyList<(ulong Start, ulong End)> Owned(ulong start, ulong end)
    {
        var owned = new List<(ulong Start, ulong End)>();
        ulong limit = (ulong)Layout.ChunkMapEntries << Layout.ChunkShift;
        if (end <= start || start >= limit || !Arena.Arena.IsInitialized) return owned;
        end = Math.Min(end, limit);
        using (Arena.ArenaLock.Hold())
        {
            ulong lastHuge = ulong.MaxValue;
            for (ulong chunk = start & ~(ulong)Layout.ChunkMask; chunk < end; chunk += Layout.ChunkSize)
            {
                ulong s, e;
                switch (ChunkMap.Get((nuint)chunk))
                {
                    case ChunkMap.Chunk:
                        (s, e) = (chunk, chunk + Layout.ChunkSize);
                        break;
                    case ChunkMap.HugeHead or ChunkMap.HugeBody:
                        // A huge mapping starts at a chunk boundary but may end inside a chunk:
                        // its header knows the length.
                        HugeHeader* h = Huge.HeaderOf((nuint)chunk);
                        if ((ulong)h == lastHuge) continue;
                        lastHuge = (ulong)h;
                        (s, e) = ((ulong)h, (ulong)h + h->MapSize);
                        break;
                    default:
                        continue;
                }
                s = Math.Max(s, start);
                e = Math.Min(e, end);
                if (s >= e) continue;
                if (owned.Count > 0 && owned[^1].End == s) owned[^1] = (owned[^1].Start, e);
                else owned.Add((s, e));
            }
        }
        return owned;
    }

    /// <summary>
    /// The piece of Ebb's address space holding <paramref name="address"/>: a 32 MiB chunk of an
    /// arena (where small and large blocks live), or the mapping of one huge block; null when
    /// the address is not Ebb's.
    /// </summary>
    public static EbbMapping? MappingOf(ulong address)
    {
        if (!Arena.Arena.IsInitialized || address >= (ulong)Layout.ChunkMapEntries << Layout.ChunkShift) return null;
        using (Arena.ArenaLock.Hold())
        {
            ulong chunk = address & ~(ulong)Layout.ChunkMask;
            switch (ChunkMap.Get((nuint)chunk))
            {
                case ChunkMap.Chunk:
                    return new EbbMapping(chunk, chunk + Layout.ChunkSize, false);
                case ChunkMap.HugeHead or ChunkMap.HugeBody:
                    HugeHeader* h = Huge.HeaderOf((nuint)chunk);
                    ulong end = (ulong)h + h->MapSize;
                    return address < end ? new EbbMapping((ulong)h, end, true) : null;
                default:
                    return null;
            }
        }
    }
}

/// <summary>A piece of the address space Ebb holds.</summary>
/// <param name="Start">First address.</param>
/// <param name="End">One past the last.</param>
/// <param name="IsHugeBlock">A huge block's own mapping (true), or a chunk of an arena (false).</param>
public readonly record struct EbbMapping(ulong Start, ulong End, bool IsHugeBlock)
{
    /// <summary>Length in bytes.</summary>
    public ulong Length => End - Start;
}

/// <summary>What a range of <see cref="EbbAddressSpace.Regions"/> is.</summary>
public enum EbbRegionKind
{
    /// <summary>Chunks of an arena (32 MiB each, adjacent ones joined): the small and large blocks' pages.</summary>
    ArenaChunks,
    /// <summary>The mapping of one huge block (above 4 MiB).</summary>
    HugeBlock,
    /// <summary>The page map: one pointer per 64 KiB slice of the address space, 16 GiB reserved read-only.</summary>
    PageMap,
    /// <summary>The chunk map: one byte per 32 MiB of the address space, 4 MiB reserved.</summary>
    ChunkMap,
    /// <summary>Sampled guarded mode's pool of guarded slots (<c>EBB_GUARD=sample:N</c>).</summary>
    GuardPool,
}

/// <summary>A range of the address space Ebb holds, and what it is.</summary>
/// <param name="Start">First address.</param>
/// <param name="End">One past the last.</param>
/// <param name="Kind">What it holds.</param>
public readonly record struct EbbRegion(ulong Start, ulong End, EbbRegionKind Kind)
{
    /// <summary>Length in bytes.</summary>
    public ulong Length => End - Start;
}
