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
