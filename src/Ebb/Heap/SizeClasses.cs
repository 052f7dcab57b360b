using System.Numerics;
using System.Runtime.CompilerServices;
using Ebb.Arena;

namespace Ebb.Heap;

/// <summary>
/// Size classes: 16-byte steps up to 128 B (bins 0–7), then four classes per doubling
/// (bins 8–47: 160, 192, 224, 256, 320, …, 131072), so a block wastes under 20%.
/// Every block size is a multiple of 16, so every block is 16-byte aligned. Computed,
/// not looked up: a few shifts are cheaper than a table and need no bounds check.
/// </summary>
internal static class SizeClasses
{
    public const int Count = 48;

    /// <summary>The bin for a request of <paramref name="size"/> bytes (0 ≤ size ≤ MaxSmallSize).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int BinOf(nuint size)
    {
        if (size <= 128) return size == 0 ? 0 : (int)((size - 1) >> 4);
        nuint s = size - 1;
        int b = BitOperations.Log2(s);
        return 8 + ((b - 7) << 2) + (int)((s >> (b - 2)) & 3);
    }

    /// <summary>Bytes per block of bin <paramref name="bin"/>.</summary>
    public static uint BlockSize(int bin)
    {
        if (bin < 8) return (uint)(bin + 1) << 4;
        int k = bin - 8, b = 7 + (k >> 2);
        return (1u << b) + (uint)((k & 3) + 1) * (1u << (b - 2));
    }

    /// <summary>
    /// Slices per page of bin <paramref name="bin"/> (a power of two, at most 2 MiB): up to
    /// 8 KiB blocks, room for 128 blocks (64 KiB up to 512 B, up to 1 MiB at 8 KiB), so a batch
    /// of a hundred allocations fits in one page and never pays for leaving it; above 8 KiB,
    /// 64 KiB or room for 4 blocks, whichever is more (mimalloc's medium pages hold 4 and more).
    /// A page goes back to the arena only when all its blocks are free, and each class keeps its
    /// high-water mark of blocks carved: the bigger a class's pages, the less often one empties,
    /// so the class's past peak stays resident (why classes above 8 KiB have small pages; for
    /// 1-8 KiB blocks, 64 KiB pages lower rptest's peak but make a batch of a hundred 8 KiB blocks
    /// a third slower a pair: docs/allocator.md). Pages are carved lazily, so a big page costs
    /// only what is used.
    /// </summary>
    public static uint SlicesPerPage(int bin)
    {
        nuint bs = BlockSize(bin);
        if (bs <= 512) return 1;
        nuint blocks = bs <= MaxBatchPageBlockSize ? 128u : MinBlocksPerBigPage;
        uint slices = (uint)((blocks * bs + Layout.SliceSize - 1) >> Layout.SliceShift);
        return Math.Min(BitOperations.RoundUpToPowerOf2(slices), 32u);
    }

    /// <summary>The largest block size whose pages hold 128 blocks (a batch of a hundred).</summary>
    public const uint MaxBatchPageBlockSize = 8192;

    /// <summary>Blocks a page of a class above <see cref="MaxBatchPageBlockSize"/> has room for, at least.</summary>
    public const uint MinBlocksPerBigPage = 4;

    /// <summary>Bytes before block 0 of a page of this bin (the span's remainder, put in front so blocks end at the span's end).</summary>
    public static nuint Slack(int bin) => ((nuint)SlicesPerPage(bin) << Layout.SliceShift) % BlockSize(bin);

    /// <summary>The alignment every block of this bin has for free: the largest power of two dividing both the block size and block 0's offset in its 64 KiB-aligned span.</summary>
    public static nuint NaturalAlignment(int bin)
    {
        nuint bs = BlockSize(bin), slack = Slack(bin);
        nuint a = bs & (nuint)(-(nint)bs);
        nuint s = slack == 0 ? Layout.SliceSize : slack & (nuint)(-(nint)slack);
        return Math.Min(Math.Min(a, s), Layout.SliceSize);
    }
}
