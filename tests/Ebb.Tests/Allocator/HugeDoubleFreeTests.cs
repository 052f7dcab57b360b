namespace Ebb.Tests.Allocator;

// Alone: a freed huge block's address could be mapped again by another test's huge block.
[Collection(nameof(AllocatorSerial))]
public unsafe class HugeDoubleFreeTests
{
    [Theory]
    [InlineData(1 << 20)]          // large: its span is free
    [InlineData(16 << 20)]         // huge, kept in the cache of freed mappings
    [InlineData(100 << 20)]        // huge, unmapped at once
    public void SecondFreeIsADoubleFreeWithItsSize(int size)
    {
        void* p = EbbMemory.Alloc((nuint)size);
        nuint usable = EbbMemory.UsableSize(p);
        EbbMemory.Free(p);
        var e = Assert.Throws<EbbMemoryException>(() => EbbMemory.Free(p));
        Assert.Equal(EbbErrorKind.DoubleFree, e.Kind);
        Assert.Equal((nint)p, e.Address);
        if (size > (4 << 20))
        {
            Assert.Equal(usable, e.BlockSize);
            Assert.Contains($"the {usable}-byte block at 0x{(nuint)p:x} was already freed", e.Message);
        }
        // Realloc and UsableSize of it say the same; an interior pointer stays an invalid free.
        Assert.Equal(EbbErrorKind.DoubleFree, Assert.Throws<EbbMemoryException>(() => { EbbMemory.Realloc(p, 100); }).Kind);
        Assert.Equal(EbbErrorKind.DoubleFree, Assert.Throws<EbbMemoryException>(() => { EbbMemory.UsableSize(p); }).Kind);
        EbbMemory.Validate();
    }

    [Fact]
    public void AHugeBlockMovedByReallocIsFreedAtItsOldAddress()
    {
        byte* p = (byte*)EbbMemory.Alloc(8 << 20);
        // A block right after it, so growing in place is unlikely (a move is what is tested, when it happens).
        void* next = EbbMemory.Alloc(8 << 20);
        byte* q = (byte*)EbbMemory.Realloc(p, 200 << 20);
        if (q != p)
        {
            var e = Assert.Throws<EbbMemoryException>(() => EbbMemory.Free(p));
            Assert.Equal(EbbErrorKind.DoubleFree, e.Kind);
        }
        EbbMemory.Free(q);
        EbbMemory.Free(next);
        EbbMemory.Validate();
    }

    [Fact]
    public void AnAddressMappedAgainIsALiveBlockNotAFreedOne()
    {
        void* p = EbbMemory.Alloc(16 << 20);
        EbbMemory.Free(p);
        // The cache hands the same mapping out again: the newest meaning of the address wins.
        void* q = EbbMemory.Alloc(16 << 20);
        if (q == p) Assert.True(EbbMemory.UsableSize(q) >= 16 << 20);
        EbbMemory.Free(q);
        Assert.Equal(EbbErrorKind.DoubleFree, Assert.Throws<EbbMemoryException>(() => EbbMemory.Free(q)).Kind);
    }
}
