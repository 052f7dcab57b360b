using System.Runtime.CompilerServices;
using Ebb.Arena;

namespace Ebb.Heap;

/// <summary>What an address is, as far as Ebb can tell.</summary>
internal enum BlockKind
{
    /// <summary>Not in any of Ebb's chunks or mappings.</summary>
    NotEbb,
    /// <summary>In a chunk header, or in a page's slack before its first block.</summary>
    Metadata,
    /// <summary>In a free slice (not in use).</summary>
    FreeMemory,
    /// <summary>In a block of a size-class page.</summary>
    Small,
    /// <summary>In a large block (a span of slices).</summary>
    Large,
    /// <summary>In a huge block (its own mapping).</summary>
    Huge,
}

/// <summary>The block an address falls in: its start, usable size and the offset of the address in it.</summary>
internal unsafe readonly struct BlockInfo
{
    public BlockKind Kind { get; init; }
    public Page* Page { get; init; }
    public nuint Start { get; init; }
    public nuint Size { get; init; }
    public nuint Offset { get; init; }
}

/// <summary>
/// Pointer to block, for the slow paths: free's checks, UsableSize, Realloc, TryFindBlock.
/// Never reads memory the chunk map does not vouch for, so any pointer may be asked about
/// (a huge mapping's header only under the arena lock: it may be unmapped at any moment).
/// Does not know whether a block in a live page is itself free (that would need a walk).
/// </summary>
internal static unsafe class Blocks
{
    /// <summary>Whether <paramref name="p"/> is the start of one of the allocator's blocks (small, large or huge; live or free).</summary>
    public static bool IsBlockStart(void* p)
    {
        var info = FindLive(p);
        return info.Kind is BlockKind.Small or BlockKind.Large or BlockKind.Huge && info.Offset == 0;
    }

    /// <summary>
    /// What <paramref name="p"/> is, for a free, realloc or size query: as <see cref="FindLive"/>,
    /// and the start of a huge block freed lately (<see cref="FreedHuge"/>) is free memory with
    /// that block's size, so its second free is a double free.
    /// </summary>
    public static BlockInfo Find(void* p)
    {
        var info = FindLive(p);
        if (info.Kind != BlockKind.NotEbb) return info;
        nuint freed = FreedHuge.SizeOf((nuint)p);
        return freed == 0 ? info : new BlockInfo { Kind = BlockKind.FreeMemory, Start = (nuint)p, Size = freed };
    }

    /// <summary>What <paramref name="p"/> is among the chunks and huge mappings there are now.</summary>
    public static BlockInfo FindLive(void* p)
    {
        nuint a = (nuint)p;
        switch (ChunkMap.Get(a))
        {
            case ChunkMap.Chunk:
            {
                Page* pg = Chunk.SliceMap((Chunk*)(a & ~Layout.ChunkMask))[(a >> Layout.SliceShift) & Layout.SliceIndexMask];
                switch (pg->Kind)
                {
                    case PageKind.Small:
                        if (a < pg->Start) return new BlockInfo { Kind = BlockKind.Metadata, Page = pg };
                        nuint off = a - pg->Start, bs = pg->BlockSize;
                        if (off >= pg->AreaSize) return new BlockInfo { Kind = BlockKind.Metadata, Page = pg };
                        nuint start = pg->Start + off / bs * bs;
                        return new BlockInfo { Kind = BlockKind.Small, Page = pg, Start = start, Size = bs, Offset = a - start };
                    case PageKind.Large:
                        return new BlockInfo { Kind = BlockKind.Large, Page = pg, Start = pg->Start, Size = pg->AreaSize, Offset = a - pg->Start };
                    case PageKind.Free:
                        return new BlockInfo { Kind = BlockKind.FreeMemory, Page = pg };
                    default:
                        return new BlockInfo { Kind = BlockKind.Metadata, Page = pg };
                }
            }
            case ChunkMap.HugeHead:
            case ChunkMap.HugeBody:
            {
                if (!Huge.TryFind(a, out nuint map, out nuint mapSize, out nuint block)) return new BlockInfo { Kind = BlockKind.NotEbb };
                if (a < block) return new BlockInfo { Kind = BlockKind.Metadata };
                if (a >= map + mapSize) return new BlockInfo { Kind = BlockKind.NotEbb };
                return new BlockInfo { Kind = BlockKind.Huge, Start = block, Size = map + mapSize - block, Offset = a - block };
            }
            default:
                return new BlockInfo { Kind = BlockKind.NotEbb };
        }
    }

    /// <summary>
    /// The page of the live block that starts at <paramref name="p"/> when that is a size-class
    /// block, told as free's fast path tells it (the page map, the block start test, the free
    /// mark) without <see cref="Find"/>'s division; null for anything else, which
    /// <see cref="LiveBlockAt"/> then sorts out. Programs that keep count of their memory (redis)
    /// ask for the usable size at every malloc and free.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Page* LiveSmallPage(void* p)
    {
        nuint a = (nuint)p;
        Page* pg = PageMap.Lookup(a);
        bool live = pg != null && pg->Kind == PageKind.Small && Page.IsBlockStart(a - pg->Start, pg->DivMagic, pg->DivLimit)
            && ((Block*)p)->Mark != BlockMark.Of(pg);
        return live ? pg : null;
    }

    /// <summary>The usable size of the live block that starts at <paramref name="p"/> (<see cref="LiveBlockAt"/>'s verdict on anything else).</summary>
    public static nuint UsableSize(void* p, Heap* h)
    {
        Page* pg = LiveSmallPage(p);
        return pg != null ? pg->BlockSize : LiveBlockAtSlow(p, h).Size;
    }

    /// <summary>
    /// The live block that starts at <paramref name="p"/>, for the calls that take one (usable
    /// size, realloc); any other pointer goes to <see cref="Host.FreeFailed"/>, as a free of it
    /// would. <paramref name="h"/> is the calling thread's heap (null: none yet).
    /// </summary>
    public static BlockInfo LiveBlockAt(void* p, Heap* h)
    {
        Page* pg = LiveSmallPage(p);
        if (pg != null) return new BlockInfo { Kind = BlockKind.Small, Page = pg, Start = (nuint)p, Size = pg->BlockSize };
        return LiveBlockAtSlow(p, h);
    }

    /// <summary>
    /// <see cref="LiveBlockAt"/> without its first test, for a caller that has made it already
    /// (<see cref="LiveSmallPage"/> said null): any kind of block, and every pointer that is not a
    /// live block start.
    /// </summary>
    public static BlockInfo LiveBlockAtSlow(void* p, Heap* h)
    {
        BlockInfo info = Find(p);
        if (info.Kind == BlockKind.FreeMemory) Host.FreeFailed(FreeError.DoubleFree, p, info);
        if (info.Kind is not (BlockKind.Small or BlockKind.Large or BlockKind.Huge) || info.Offset != 0)
            Host.FreeFailed(FreeError.InvalidFree, p, info);
        if (info.Kind == BlockKind.Small) FreeBlockCheck.ThrowIfFree(p, info.Page, h);
        return info;
    }
}
