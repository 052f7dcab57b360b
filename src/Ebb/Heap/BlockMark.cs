namespace Ebb.Heap;

/// <summary>
/// The release mode's double-free check, glibc tcache's key made cheaper: the second word of
/// every free small block holds a per-process random value, written when the block is carved
/// (<see cref="Carved"/>) or freed (<see cref="Freed"/>) and cleared when it is handed out. A
/// free that finds either value in the block's second word is a free of a block that is free
/// now. Only a caller that stores exactly this process's random value there can make a live
/// block look free; on its own pages the free path confirms by walking the page's lists, so
/// even that is told apart. The two values differ in the low bit only, so the free fast path
/// tests both with one <c>or</c> and one compare.
/// </summary>
internal static class BlockMark
{
    /// <summary>On a block that was freed and has not been handed out since (odd).</summary>
    public static readonly ulong Freed = NewKey() | 1;

    /// <summary>On a block carved from its page and never handed out (Freed with its low bit clear).</summary>
    public static ulong Carved => Freed & ~1UL;

    /// <summary>Whether <paramref name="mark"/> says the block is free now (either value).</summary>
    public static bool IsFree(ulong mark) => (mark | 1) == Freed;

    private static ulong NewKey()
    {
        // Random.Shared is seeded from the OS's random bytes, without loading a crypto library at start-up.
        ulong k = (ulong)Random.Shared.NextInt64() ^ ((ulong)Random.Shared.NextInt64() << 1);
        // Never a small value a program would plausibly store (0, 1, a length, a flag word).
        return k | (1UL << 62);
    }
}
