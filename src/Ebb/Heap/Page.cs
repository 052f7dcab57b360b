using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebb.Arena;

namespace Ebb.Heap;

/// <summary>
/// A free block: its first word links to the next free block of the same page, its second
/// holds a <see cref="BlockMark"/> (every block is at least 16 bytes). Both words are the
/// caller's once the block is handed out: allocation clears the mark.
/// </summary>
internal unsafe struct Block
{
    public Block* Next;
    /// <summary><see cref="BlockMark.Of"/> its page on a free block (carved and never handed out, or freed and not handed out since), 0 once handed out (until the caller writes there).</summary>
    public ulong Mark;
}

/// <summary>What a slice's page descriptor describes.</summary>
internal enum PageKind : byte
{
    /// <summary>A free slice (in the arena, not in use). Freeing into it is a double free.</summary>
    Free = 0,
    /// <summary>The first slice of a span of blocks of one size class.</summary>
    Small = 1,
    /// <summary>The first slice of a span holding one large block.</summary>
    Large = 2,
    /// <summary>The chunk header's own slices.</summary>
    Header = 3,
}

/// <summary>Page flag bits.</summary>
internal static class PageFlags
{
    /// <summary>The page is on its heap's full list (no free block when last looked at); its LocalHeap is None.</summary>
    public const byte InFull = 1;
    /// <summary>Every block on <see cref="Page.Free"/> is zero except its link and mark words (fresh from the OS).</summary>
    public const byte FreeIsZero = 2;
    /// <summary>
    /// <see cref="Page.Free"/> is what is left of the last carving (<c>Pages.Extend</c>), in address
    /// order: its blocks, from the head to the end of the carved area, were never handed out.
    /// Cleared when Free is refilled from the freed blocks (only ever when Free is empty).
    /// </summary>
    public const byte FreeIsCarved = 4;
    /// <summary>The page is on its heap's empty list (<see cref="EmptyPages"/>): every block free, LocalHeap None.</summary>
    public const byte InEmpty = 8;
}

/// <summary>
/// A page: the descriptor of a span of slices, living in the chunk header (one per slice;
/// only the span's first is used, and the slice map points every slice of the span at it).
/// Three cache lines, by who writes them: the first holds only <see cref="Free"/>, which every
/// allocation writes; the second what the free path reads and the owner's frees write
/// (LocalFree, Used) beside the fields fixed while the page lives (LocalHeap, Start, the
/// block-start test); the third the field other threads write (<see cref="ThreadFree"/>) and
/// the slow paths' links. So a thread freeing blocks another thread keeps allocating from (a
/// producer/consumer pair) reads lines the allocating thread does not write, and neither path
/// of the owner touches more than one line.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Layout.PageDescriptorSize)]
internal unsafe struct Page
{
    /// <summary>
    /// Blocks ready to allocate. Owner only. Popped by the alloc fast path; frees never push
    /// here (mimalloc's local_free split), so the list a fast-path free touches is not the one
    /// allocation pops, and a list carved from zeroed memory stays all-zero (<see cref="PageFlags.FreeIsZero"/>)
    /// with no store on every free.
    /// </summary>
    [FieldOffset(0)] public Block* Free;
    /// <summary>
    /// Blocks freed by the owner (pushed by the free fast path, LIFO) and remote frees collected
    /// from ThreadFree. Owner only. Becomes <see cref="Free"/> when Free runs dry (<c>Pages.Collect</c>).
    /// </summary>
    [FieldOffset(64)] public Block* LocalFree;
    /// <summary>
    /// The heap whose thread may free into this page on the fast path: the owner heap while
    /// the page is in one of its queues, <see cref="HeapState.None"/> otherwise (full, abandoned,
    /// large, free). Invariant: equal to a thread's <c>t_heap</c> only on that thread's pages.
    /// </summary>
    [FieldOffset(72)] public Heap* LocalHeap;
    /// <summary>Address of block 0 (small) or of the block (large).</summary>
    [FieldOffset(80)] public nuint Start;
    /// <summary>Capacity × BlockSize (small), or the usable size (large): a block offset must be below it.</summary>
    [FieldOffset(120)] public nuint AreaSize;
    /// <summary>The multiplier of the block-start test (<see cref="MagicFor"/>): <c>(ulong)off * DivMagic &lt;= DivLimit</c> iff off is the offset of a carved block.</summary>
    [FieldOffset(88)] public ulong DivMagic;
    /// <summary>
    /// Capacity minus the blocks on LocalFree: the blocks handed out, plus those still on Free
    /// (the alloc fast path pops Free without counting; Free is filled only when it is empty,
    /// and then Used is set to Capacity), plus remote frees not collected yet. Owner only.
    /// Invariant: Used + |LocalFree| = Capacity. Zero means every block is on LocalFree: the
    /// page is empty, and a block freed into it is a double free. With blocks on Free the page
    /// may be empty without Used saying so (<see cref="Pages.IsEmpty"/> counts); only the
    /// page a heap allocates from has blocks on Free, and that page is kept when empty anyway.
    /// </summary>
    [FieldOffset(104)] public uint Used;
    /// <summary>Blocks carved so far (the free list is built lazily, a slice's worth at a time, so untouched memory stays untouched). AreaSize covers exactly these.</summary>
    [FieldOffset(172)] public uint Capacity;
    /// <summary>Bytes per block (small); 0 for large.</summary>
    [FieldOffset(108)] public uint BlockSize;
    /// <summary>Size-class index (small).</summary>
    [FieldOffset(114)] public byte Bin;
    [FieldOffset(112)] public PageKind Kind;
    [FieldOffset(113)] public byte Flags;
    /// <summary>1 when the blocks not yet carved (beyond Capacity) are known zero (the span came fresh from the OS).</summary>
    [FieldOffset(115)] public byte TailIsZero;

    /// <summary>Blocks freed by other threads: pushed with one CAS, taken by the owner with one exchange.</summary>
    [FieldOffset(128)] public Block* ThreadFree;
    /// <summary>Owning heap (null when abandoned, or a large block of a thread heap).</summary>
    [FieldOffset(136)] public Heap* Heap;
    /// <summary>Links in the owner's bin queue, full list, large list or the abandoned list.</summary>
    [FieldOffset(144)] public Page* Next;
    [FieldOffset(152)] public Page* Prev;
    /// <summary>Slices in the span (head only).</summary>
    [FieldOffset(160)] public uint SliceCount;
    /// <summary>The bound of the block-start test, <see cref="LimitFor"/>(BlockSize, Capacity): set with Capacity, so the one compare also checks "inside the carved area".</summary>
    [FieldOffset(96)] public ulong DivLimit;
    /// <summary>When the slice was freed (ms since start), for the purge delay. Per slice, free slices only.</summary>
    [FieldOffset(164)] public int FreedAt;
    /// <summary>Blocks the span can hold (small); Capacity grows up to it.</summary>
    [FieldOffset(168)] public uint Reserved;

    // ---- the block-start test --------------------------------------------------------
    //
    // The free fast path must accept exactly the offsets off = p - Start that are the start of
    // a carved block: off = k·d with 0 ≤ k < C (d the block size, C = Capacity). One multiply
    // and one compare do it (a range-extended form of Lemire's divisibility test):
    //
    //   M = ⌈2^64 / d⌉, or 2^64/d + 1 when d is a power of two, so that e = d·M − 2^64 is in 1..d;
    //   accept iff (off · M) mod 2^64 ≤ (C − 1)·e.
    //
    // Ranges that hold here: 16 ≤ d ≤ 2^17 (16 | d); a small page's span S is at most 2 MiB =
    // 2^21; Start lies less than d after the span's first byte (the slack), and the slice map
    // only leads to a page from an address inside its span, so off ∈ (−d, S). Then M ≥ 2^64/d
    // ≥ 2^47, while (C − 1)·e ≤ C·d ≤ S ≤ 2^21. Write off = k·d + r, 0 ≤ r < d:
    //  - r = 0, k ≥ 0: off·M = k·2^64 + k·e ≡ k·e, and k·e ≤ S < 2^64 (no wrap); k·e grows
    //    strictly with k (e ≥ 1), so it is ≤ (C − 1)·e exactly when k ≤ C − 1. Accepted iff carved.
    //  - r ≥ 1, k ≥ 0: off·M ≡ k·e + r·M, and k·e + r·M ≤ S + (d − 1)·M = S + 2^64 + e − M < 2^64
    //    since M > S + e; so the value is k·e + r·M ≥ M ≥ 2^47 > the bound. Rejected (interior).
    //  - −d < off < 0, off = −s with 1 ≤ s ≤ d − 1: off·M ≡ 2^64 − s·M, where s·M ≤ (d − 1)·M =
    //    2^64 + e − M < 2^64, so the value is ≥ M − e ≥ 2^47 − 2^17 > the bound. Rejected (slack).
    // The exhaustive unit test BlockStartTestTests checks every offset of every class's span.

    /// <summary>The multiplier of the block-start test for blocks of <paramref name="blockSize"/> bytes.</summary>
    public static ulong MagicFor(uint blockSize) =>
        ulong.MaxValue / blockSize + 1 + (BitOperations.IsPow2(blockSize) ? 1UL : 0UL);

    /// <summary>The bound of the block-start test for <paramref name="capacity"/> (≥ 1) carved blocks of <paramref name="blockSize"/> bytes.</summary>
    public static ulong LimitFor(uint blockSize, uint capacity) =>
        unchecked((ulong)(capacity - 1) * (blockSize * MagicFor(blockSize)));

    /// <summary>Whether <paramref name="offset"/> (from block 0, any sign) is the start of one of the carved blocks the magic and limit describe.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsBlockStart(nuint offset, ulong magic, ulong limit) => unchecked((ulong)offset * magic) <= limit;

    /// <summary>The chunk a descriptor lives in: descriptors are in the chunk header.</summary>
    public static Chunk* ChunkOf(Page* page) => (Chunk*)((nuint)page & ~Layout.ChunkMask);

    /// <summary>Index of the slice this descriptor describes.</summary>
    public static int SliceIndex(Page* page) =>
        (int)(((nuint)page - ((nuint)page & ~Layout.ChunkMask) - Layout.PagesOffset) / Layout.PageDescriptorSize);

    /// <summary>Address of the first byte of the span.</summary>
    public static nuint SpanStart(Page* page) =>
        ((nuint)page & ~Layout.ChunkMask) + ((nuint)SliceIndex(page) << Layout.SliceShift);
}
