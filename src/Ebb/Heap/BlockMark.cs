namespace Ebb.Heap;

/// <summary>
/// The release mode's double-free check, glibc tcache's key made cheaper: the second word of
/// every free small block holds a per-process random value (<see cref="Freed"/>), written when the
/// block is carved or freed and cleared when it is handed out. A free that finds the value in the
/// block's second word is a free of a block that is free now. Only a caller that stores exactly
/// this process's random value there can make a live block look free; on its own pages the free
/// path confirms by walking the page's lists, so even that is told apart. Each small page keeps a
/// copy (<see cref="Page.FreeMark"/>) on the cache line the free fast path reads anyway, so the
/// test is one compare with memory and the mark one store, with no 64-bit constant to build.
/// </summary>
internal static class BlockMark
{
    /// <summary>On a free block: carved and never handed out, or freed and not handed out since.</summary>
    public static readonly ulong Freed = NewKey();

    private static ulong NewKey()
    {
        // Random.Shared is seeded from the OS's random bytes, without loading a crypto library at start-up.
        ulong k = (ulong)Random.Shared.NextInt64() ^ ((ulong)Random.Shared.NextInt64() << 1);
        // Never a small value a program would plausibly store (0, 1, a length, a flag word).
        return k | (1UL << 62);
    }
}
