namespace Ebb.Heap;

/// <summary>
/// The release mode's double-free check, glibc tcache's key made cheaper: the second word of
/// every free small block holds its page descriptor's address, written when the block is carved
/// or freed and cleared when it is handed out. A free that finds that value in the block's second
/// word is a free of a block that is free now. The value is one a program cannot come by without
/// reading Ebb's metadata or freed memory (the descriptor lives in a chunk header), and it is the
/// page pointer the free fast path holds in a register already: the test is one compare with
/// memory and the mark one store, with no key to load or 64-bit constant to build. On the
/// caller's own pages a hit is confirmed by walking the page's lists.
/// </summary>
internal static unsafe class BlockMark
{
    /// <summary>The mark of a free block of page <paramref name="pg"/>.</summary>
    public static ulong Of(Page* pg) => (ulong)pg;

    /// <summary>The mark a free block at <paramref name="block"/> would carry (0 where no page maps it): for tests and reports.</summary>
    public static ulong For(void* block)
    {
        Page* pg = Arena.PageMap.Lookup((nuint)block);
        if (pg == null && !Arena.PageMap.Flat) pg = Blocks.Find(block).Page;
        return pg == null ? 0 : Of(pg);
    }
}
