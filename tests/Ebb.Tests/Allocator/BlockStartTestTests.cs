using Ebb.Arena;
using Ebb.Heap;

namespace Ebb.Tests.Allocator;

/// <summary>
/// The free fast path's one-multiply block-start test (<see cref="Page.IsBlockStart"/>) against
/// the naive test, for every byte offset a pointer into a page's span can have, in every size
/// class, at several carved capacities; and through the allocator, for the part not carved yet.
/// </summary>
public unsafe class BlockStartTestTests
{
    private static bool Naive(long off, uint d, uint capacity) => off >= 0 && off % d == 0 && off / d < capacity;

    [Fact]
    public void AgreesWithTheNaiveTestAtEveryOffsetOfEverySpan()
    {
        for (int bin = 0; bin < SizeClasses.Count; bin++)
        {
            uint d = SizeClasses.BlockSize(bin);
            long span = (long)SizeClasses.SlicesPerPage(bin) << Layout.SliceShift;
            uint reserved = (uint)(span / d);
            ulong magic = Page.MagicFor(d);
            foreach (uint capacity in new[] { 1u, Math.Max(1u, reserved / 3), reserved - 1, reserved }.Distinct().Where(c => c >= 1))
            {
                ulong limit = Page.LimitFor(d, capacity);
                long wrong = 0, firstWrong = 0;
                // Offsets from block 0: the slack before it is less than one block, and the span ends at span.
                for (long off = -(long)(d - 1); off < span; off++)
                {
                    if (Page.IsBlockStart((nuint)off, magic, limit) != Naive(off, d, capacity))
                    {
                        if (wrong++ == 0) firstWrong = off;
                    }
                }
                Assert.True(wrong == 0, $"block size {d}, capacity {capacity}: {wrong} offsets judged wrongly, the first {firstWrong}");
            }
        }
    }

    [Fact]
    public void TheMagicLeavesARemainderOfOneToOneBlock()
    {
        for (int bin = 0; bin < SizeClasses.Count; bin++)
        {
            uint d = SizeClasses.BlockSize(bin);
            ulong e = unchecked(d * Page.MagicFor(d));
            Assert.InRange(e, 1UL, d);
        }
    }

    [Fact]
    public void ABlockStartNotCarvedYetIsRefusedAndTheHeapStaysIntact()
    {
        // 3072-byte blocks: a 512 KiB page carved 64 KiB at a time, so a fresh page has an uncarved tail.
        // Allocate until the block comes from a page with such a tail (at the latest, the next fresh page).
        var held = new List<nint>();
        void* p;
        Page* pg;
        do
        {
            p = EbbMemory.Alloc(3000);
            held.Add((nint)p);
            pg = Blocks.Find(p).Page;
        }
        while (pg->Capacity == pg->Reserved && held.Count < 1000);
        Assert.True(pg->Capacity < pg->Reserved);
        void* beyond = (void*)(pg->Start + (nuint)pg->Capacity * pg->BlockSize);
        var e = Assert.Throws<EbbMemoryException>(() => EbbMemory.Free(beyond));
        Assert.Equal(EbbErrorKind.InvalidFree, e.Kind);
        // The slack before block 0 (512 KiB is not a multiple of 3072) is refused too.
        Assert.True(pg->Start > Page.SpanStart(pg));
        Assert.Equal(EbbErrorKind.InvalidFree, Assert.Throws<EbbMemoryException>(() => EbbMemory.Free((void*)(pg->Start - 16))).Kind);
        foreach (nint q in held) EbbMemory.Free((void*)q);
        EbbMemory.Validate();
    }
}
