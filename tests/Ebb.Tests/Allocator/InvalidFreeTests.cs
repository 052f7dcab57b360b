using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Ebb.Tests.Allocator;

// Alone: a double free is only visible while nobody has reused the block, and other test
// classes allocating large spans in parallel could take it between the two frees.
[Collection(nameof(AllocatorSerial))]
public unsafe class InvalidFreeTests
{
    private static EbbMemoryException Caught(Action a) => Assert.Throws<EbbMemoryException>(a);

    [Fact]
    public void InteriorPointerIsRefusedWithTheBlockNamed()
    {
        byte* p = (byte*)EbbMemory.Alloc(64);
        var e = Caught(() => EbbMemory.Free(p + 8));
        Assert.Equal(EbbErrorKind.InvalidFree, e.Kind);
        Assert.Equal((nint)(p + 8), e.Address);
        Assert.Matches(new Regex(@"^ebb: ERROR: invalid-free: 0x[0-9a-f]+ is 8 bytes inside the 64-byte block at 0x[0-9a-f]+$"), e.Message);
        Assert.Contains($"0x{(nuint)p:x}", e.Message);
        // The heap is intact: the block is still live and can be freed.
        EbbMemory.Free(p);
        EbbMemory.Validate();
    }

    [Theory]
    [InlineData(200_000)]
    [InlineData(10 << 20)]
    public void InteriorPointersOfLargeAndHugeBlocksAreRefused(int size)
    {
        byte* p = (byte*)EbbMemory.Alloc((nuint)size);
        var e = Caught(() => EbbMemory.Free(p + 4096));
        Assert.Equal(EbbErrorKind.InvalidFree, e.Kind);
        Assert.Contains("4096 bytes inside", e.Message);
        Assert.Throws<EbbMemoryException>(() => { EbbMemory.Realloc(p + 16, 10); });
        EbbMemory.Free(p);
    }

    [Fact]
    public void ForeignPointerIsRefused()
    {
        void* n = NativeMemory.Alloc(64);
        try
        {
            var e = Caught(() => EbbMemory.Free(n));
            Assert.Equal(EbbErrorKind.InvalidFree, e.Kind);
            Assert.Contains("was not allocated by Ebb", e.Message);
            Assert.Throws<EbbMemoryException>(() => { EbbMemory.Realloc(n, 100); });
            Assert.Throws<EbbMemoryException>(() => { EbbMemory.UsableSize(n); });
        }
        finally { NativeMemory.Free(n); }
    }

    [Fact]
    public void StackPointerIsRefused()
    {
        long onStack = 42;
        void* addr = &onStack;
        var e = Caught(() => EbbMemory.Free(addr));
        Assert.Equal(EbbErrorKind.InvalidFree, e.Kind);
        Assert.Contains("on the stack", e.Message);
        Assert.Equal(42, onStack);
    }

    [Fact]
    public void WildPointersAreRefused()
    {
        Assert.Equal(EbbErrorKind.InvalidFree, Caught(() => EbbMemory.Free((void*)0x10)).Kind);
        Assert.Equal(EbbErrorKind.InvalidFree, Caught(() => EbbMemory.Free((void*)unchecked((nint)0xffff_8000_0000_1000))).Kind);
        // The start of a chunk is its header: metadata, not a block.
        byte* p = (byte*)EbbMemory.Alloc(32);
        void* header = (void*)((nuint)p & ~(nuint)(32 * 1024 * 1024 - 1));
        var e = Caught(() => EbbMemory.Free(header));
        Assert.Equal(EbbErrorKind.InvalidFree, e.Kind);
        Assert.Contains("metadata", e.Message);
        EbbMemory.Free(p);
    }

    [Fact]
    public void FreeingTheSameBlockTwiceInARowIsADoubleFree()
    {
        void* keep = EbbMemory.Alloc(80);
        void* p = EbbMemory.Alloc(80);
        EbbMemory.Free(p);
        var e = Caught(() => EbbMemory.Free(p));
        Assert.Equal(EbbErrorKind.DoubleFree, e.Kind);
        Assert.StartsWith("ebb: ERROR: double-free: ", e.Message);
        EbbMemory.Free(keep);
        EbbMemory.Validate();
    }

    [Fact]
    public void FreeingALargeOrHugeBlockTwiceIsADoubleFree()
    {
        void* large = EbbMemory.Alloc(300_000);
        EbbMemory.Free(large);
        Assert.Equal(EbbErrorKind.DoubleFree, Caught(() => EbbMemory.Free(large)).Kind);
        void* huge = EbbMemory.Alloc(8 << 20);
        EbbMemory.Free(huge);
        // Its mapping is gone, but the ring of freed huge blocks remembers it.
        Assert.Equal(EbbErrorKind.DoubleFree, Caught(() => EbbMemory.Free(huge)).Kind);
    }

    [Fact]
    public void DoubleFreeFromAnotherThreadWithItsOwnHeapIsCaught()
    {
        // The remote free path is reached with the freeing thread's heap passed down from the
        // inlined fast path: a thread that has a heap of its own (it allocated first) must still
        // see another thread's page as remote, free into it, and catch the second free.
        void* p = EbbMemory.Alloc(48);
        EbbMemoryException? e = null;
        Threads.Run(1, _ =>
        {
            void* mine = EbbMemory.Alloc(48);
            EbbMemory.Free(p);
            e = Caught(() => EbbMemory.Free(p));
            EbbMemory.Free(mine);
        });
        Assert.Equal(EbbErrorKind.DoubleFree, e!.Kind);
        // The block went back to its owner's page: this thread can allocate it again.
        var again = new HashSet<nint>();
        for (int i = 0; i < 20_000 && !again.Contains((nint)p); i++) again.Add((nint)EbbMemory.Alloc(48));
        Assert.Contains((nint)p, again);
        foreach (var q in again) EbbMemory.Free((void*)q);
        EbbMemory.Validate();
    }

    [Fact]
    public void DoubleFreeFromAnotherThreadIsCaughtWhenThePageShowsIt()
    {
        void* p = EbbMemory.Alloc(2000);
        EbbMemory.Free(p);
        EbbMemoryException? e = null;
        var t = new Thread(() => { try { EbbMemory.Free(p); } catch (EbbMemoryException x) { e = x; } });
        t.Start();
        t.Join();
        Assert.NotNull(e);
        Assert.Equal(EbbErrorKind.DoubleFree, e!.Kind);
    }
}
