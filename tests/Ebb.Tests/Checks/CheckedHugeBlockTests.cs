using Ebb.Checks;
using Ebb.Tests.Allocator;

namespace Ebb.Tests.Checks;

// Checked blocks big enough to be huge (their own mappings): run alone, since mapping and
// unmapping 8 MiB moves the process-wide figures other allocator tests compare.
[Collection(nameof(AllocatorSerial))]
public unsafe class CheckedHugeBlockTests
{
    private static CheckedHeap NewHeap(long quarantine = 1 << 20) =>
        new(new CheckOptions { Mode = CheckMode.Checked, QuarantineBytes = quarantine });

    [Fact]
    public void DoubleFree_OfAHugeBlockGivenBackToTheSystem_IsStillNamed()
    {
        // 8 MiB: its own mapping, unmapped when it leaves the (empty) quarantine, header and all.
        var heap = NewHeap(quarantine: 0);
        byte* p = (byte*)heap.Alloc(8 << 20, 16, false);
        heap.Free(p);
        var e = Assert.Throws<EbbMemoryException>(() => heap.Free(p));
        Assert.Equal(EbbErrorKind.DoubleFree, e.Kind);
        Assert.Equal((nuint)(8 << 20), e.BlockSize);
        Assert.Contains(nameof(DoubleFree_OfAHugeBlockGivenBackToTheSystem_IsStillNamed), e.AllocationStack);
        Assert.Contains("freed by thread", e.Message);
    }

    [Fact]
    public void AWildPointerPastAHugeBlock_IsRefused_WithoutReadingUnmappedMemory()
    {
        // A huge block's mapping starts a 32 MiB chunk the chunk map marks as Ebb's whole, but
        // is mapped only as far as the block goes: 16 MiB on lies past it, in the same chunk.
        var heap = NewHeap();
        byte* p = (byte*)heap.Alloc(8 << 20, 16, false);
        byte* wild = p + (16 << 20);
        var e = Assert.Throws<EbbMemoryException>(() => heap.Free(wild));
        Assert.Equal(EbbErrorKind.InvalidFree, e.Kind);
        heap.Free(p);
    }
}
