namespace Ebb.Tests.Allocator;

// The rows of issue 12's table where release mode handed the same block out twice: a double
// free with other frees in between (on the freeing thread or another), a realloc or usable-size
// query of a freed block, and a free of a block start that was carved but never handed out.
// Alone: a double free is only visible while nobody has reused the block.
[Collection(nameof(AllocatorSerial))]
public unsafe class BuriedDoubleFreeTests
{
    public static TheoryData<int> Sizes => new() { 16, 64, 100, 1024, 4000, 20_000, 100_000 };

    private static EbbErrorKind KindOf(Action a) => Assert.Throws<EbbMemoryException>(a).Kind;

    /// <summary>The next <paramref name="n"/> allocations of <paramref name="size"/>, freed again: none may be handed out twice.</summary>
    private static void AssertNoDuplicates(int size, int n = 8)
    {
        var seen = new HashSet<nint>();
        var blocks = new List<nint>();
        for (int i = 0; i < n; i++)
        {
            nint b = (nint)EbbMemory.Alloc((nuint)size);
            Assert.True(seen.Add(b), $"block 0x{b:x} handed out twice");
            blocks.Add(b);
        }
        foreach (nint b in blocks) EbbMemory.Free((void*)b);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void FreePFreeQFreeP_IsDoubleFree(int size)
    {
        void* p = EbbMemory.Alloc((nuint)size), q = EbbMemory.Alloc((nuint)size);
        EbbMemory.Free(p);
        EbbMemory.Free(q);
        var e = Assert.Throws<EbbMemoryException>(() => EbbMemory.Free(p));
        Assert.Equal(EbbErrorKind.DoubleFree, e.Kind);
        Assert.Equal((nint)p, e.Address);
        AssertNoDuplicates(size);
        EbbMemory.Validate();
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void SecondFreeOnAnotherThread_IsDoubleFree(int size)
    {
        void* p = EbbMemory.Alloc((nuint)size), q = EbbMemory.Alloc((nuint)size);
        EbbMemory.Free(p);
        EbbMemory.Free(q);
        EbbErrorKind? kind = null;
        Threads.Run(1, _ => kind = KindOf(() => EbbMemory.Free(p)));
        Assert.Equal(EbbErrorKind.DoubleFree, kind);
        AssertNoDuplicates(size);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void RemoteFreeThenFreeAgain_IsDoubleFree(int size)
    {
        // The first free is remote (onto the page's ThreadFree), the second local.
        void* p = EbbMemory.Alloc((nuint)size), q = EbbMemory.Alloc((nuint)size);
        Threads.Run(1, _ => EbbMemory.Free(p));
        EbbMemory.Free(q);
        Assert.Equal(EbbErrorKind.DoubleFree, KindOf(() => EbbMemory.Free(p)));
        AssertNoDuplicates(size);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void ReallocAndUsableSizeOfAFreedBlock_AreRefused(int size)
    {
        void* p = EbbMemory.Alloc((nuint)size), q = EbbMemory.Alloc((nuint)size);
        EbbMemory.Free(p);
        EbbMemory.Free(q);
        Assert.Equal(EbbErrorKind.DoubleFree, KindOf(() => EbbMemory.Realloc(p, (nuint)size * 2)));
        Assert.Equal(EbbErrorKind.DoubleFree, KindOf(() => EbbMemory.UsableSize(p)));
        AssertNoDuplicates(size);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(1024)]
    public void FreeOfANeverHandedOutNeighbour_IsInvalidFree(int size)
    {
        // A fresh page: the block after p is carved (on the free list) but was never handed out.
        using var heap = new EbbHeap();
        byte* p = (byte*)heap.Alloc((nuint)size);
        byte* neighbour = p + size;
        var e = Assert.Throws<EbbMemoryException>(() => EbbMemory.Free(neighbour));
        Assert.Equal(EbbErrorKind.InvalidFree, e.Kind);
        Assert.Contains("never handed out", e.Message);
        Assert.Equal(EbbErrorKind.InvalidFree, KindOf(() => EbbMemory.UsableSize(neighbour)));
        var seen = new HashSet<nint> { (nint)p };
        for (int i = 0; i < 16; i++) Assert.True(seen.Add((nint)heap.Alloc((nuint)size)), "a block handed out twice");
    }

    [Fact]
    public void ALiveBlockHoldingTheMarkInItsSecondWord_IsFreedNormally()
    {
        // A program may store anything in its block; on the freeing thread's own page the lists
        // are walked to confirm, so even the exact mark does not make a live block look free.
        ulong* p = (ulong*)EbbMemory.Alloc(32);
        p[1] = Ebb.Heap.BlockMark.For(p);
        EbbMemory.Free(p);
        EbbMemory.Validate();
        ulong* c = (ulong*)EbbMemory.Alloc(32);
        c[1] = Ebb.Heap.BlockMark.For(c);
        Assert.Equal((nuint)32, EbbMemory.UsableSize(c));
        EbbMemory.Free(c);
    }

    [Fact]
    public void AWriteAfterFreeOverTheMark_IsFoundByValidate()
    {
        ulong* keep = (ulong*)EbbMemory.Alloc(48);
        ulong* p = (ulong*)EbbMemory.Alloc(48);
        EbbMemory.Free(p);
        p[1] = 0x1234;
        var e = Assert.Throws<EbbMemoryException>(EbbMemory.Validate);
        Assert.Equal(EbbErrorKind.HeapCorruption, e.Kind);
        Assert.Contains("lost its free mark", e.Message);
        p[1] = Ebb.Heap.BlockMark.For(p);
        EbbMemory.Validate();
        EbbMemory.Free(keep);
    }
}
