namespace Ebb.Tests.Allocator;

// Alone: whether a disposed heap's span is reused depends on who else allocates meanwhile.
[Collection(nameof(AllocatorSerial))]
public unsafe class DisposedHeapFreeTests
{
    private static EbbErrorKind KindOf(Action a) => Assert.Throws<EbbMemoryException>(a).Kind;

    [Theory]
    [InlineData(48)]
    [InlineData(100_000)]      // small, a bin of the biggest pages
    [InlineData(1 << 20)]      // large
    [InlineData(6 << 20)]      // huge
    [InlineData(80 << 20)]     // huge, too big for the cache: unmapped by Dispose
    public void AFreeAfterDisposeIsRefusedAsADoubleFree(int size)
    {
        var heap = new EbbHeap();
        var blocks = new List<nint>();
        for (int i = 0; i < 4; i++) blocks.Add((nint)heap.Alloc((nuint)size));
        heap.Dispose();
        foreach (nint p in blocks)
        {
            Assert.Equal(EbbErrorKind.DoubleFree, KindOf(() => EbbMemory.Free((void*)p)));
            Assert.Equal(EbbErrorKind.DoubleFree, KindOf(() => EbbMemory.UsableSize((void*)p)));
        }
        EbbMemory.Validate();
    }

    [Theory]
    [InlineData(48)]
    [InlineData(1 << 20)]
    public void AStalePointerIntoASpanUsedAgainIsRefusedOrIsABlockHandedOutAgain(int size)
    {
        var heap = new EbbHeap();
        byte* stale = (byte*)heap.Alloc((nuint)size);
        heap.Dispose();
        // Another heap takes the freed slices again (best fit: the same ones, most likely).
        var again = new EbbHeap();
        var live = new HashSet<nint>();
        for (int i = 0; i < 64; i++) live.Add((nint)again.Alloc((nuint)size));
        try
        {
            EbbMemory.Free(stale);
            // Accepted only because the address is a block handed out again: the stale free freed it.
            Assert.Contains((nint)stale, live);
            live.Remove((nint)stale);
        }
        catch (EbbMemoryException e)
        {
            Assert.True(e.Kind is EbbErrorKind.DoubleFree or EbbErrorKind.InvalidFree, e.Message);
        }
        foreach (nint p in live) EbbMemory.Free((void*)p);
        again.Dispose();
        EbbMemory.Validate();
    }
}
