using Ebb.Checks;
using Ebb.Os;

namespace Ebb.Tests.Checks;

// The parts of guarded mode that do not fault (a fault ends the process: the
// child-process tests in Ebb.Cli.Tests cover those).
public unsafe class GuardedHeapTests
{
    private static readonly nuint s_page = (nuint)OsMemory.PageSize;

    private static GuardedHeap All() => new(new CheckOptions { Mode = CheckMode.GuardAll, Stacks = false });

    [Theory]
    [InlineData(13, 1)]
    [InlineData(12, 4)]
    [InlineData(24, 8)]
    [InlineData(48, 16)]
    [InlineData(0, 16)]
    public void Alignment_IsTheSizesNaturalOne_UpTo16(int size, int expected) =>
        Assert.Equal((nuint)expected, GuardedHeap.BlockAlignment((nuint)size, 0));

    [Fact]
    public void ExplicitAlignment_IsHonoured()
    {
        Assert.Equal((nuint)64, GuardedHeap.BlockAlignment(13, 64));
        Assert.Equal((nuint)16, GuardedHeap.BlockAlignment(13, 16));
    }

    [Theory]
    [InlineData(13)]
    [InlineData(4096)]
    [InlineData(5000)]
    public void AllMode_BlockEndsExactlyAtAPageBoundary(int size)
    {
        var heap = All();
        byte* p = (byte*)heap.Alloc((nuint)size, 0, false);
        Assert.Equal((nuint)0, ((nuint)p + (nuint)size) % s_page);
        for (int i = 0; i < size; i++) p[i] = 1;
        Assert.Equal((nuint)size, heap.UsableSize(p));
        heap.Free(p);
    }

    [Fact]
    public void AllMode_UnderflowIntoTheSlack_IsCaughtAtFree()
    {
        var heap = All();
        byte* p = (byte*)heap.Alloc(100, 0, false);
        p[-1] = 0;
        var e = Assert.Throws<EbbMemoryException>(() => heap.Free(p));
        Assert.Equal(EbbErrorKind.HeapBufferUnderflow, e.Kind);
        Assert.StartsWith($"ebb: ERROR: heap-buffer-underflow: 1 byte written 1 byte before the 100-byte block at 0x{(nuint)p:x}, found at free", e.Message);
    }

    [Fact]
    public void AllMode_OverflowIntoTheAlignmentSlack_IsCaughtAtFree()
    {
        var heap = All();
        byte* p = (byte*)heap.Alloc(13, 64, false);
        Assert.Equal((nuint)0, (nuint)p % 64);
        p[13] = 0;
        var e = Assert.Throws<EbbMemoryException>(() => heap.Free(p));
        Assert.Equal(EbbErrorKind.HeapBufferOverflow, e.Kind);
        Assert.Contains("0 bytes after the 13-byte block", e.Message);
    }

    [Fact]
    public void AllMode_DoubleAndInteriorFree_AreCaught()
    {
        var heap = All();
        byte* p = (byte*)heap.Alloc(64, 16, false);
        Assert.Equal(EbbErrorKind.InvalidFree, Assert.Throws<EbbMemoryException>(() => heap.Free(p + 1)).Kind);
        heap.Free(p);
        Assert.Equal(EbbErrorKind.DoubleFree, Assert.Throws<EbbMemoryException>(() => heap.Free(p)).Kind);
    }
}
