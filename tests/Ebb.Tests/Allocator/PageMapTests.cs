using System.Runtime.InteropServices;
using Ebb.Arena;
using Ebb.Heap;

namespace Ebb.Tests.Allocator;

/// <summary>
/// The flat page map the free fast path reads. Its fallback (no map under a small ulimit -v)
/// is run by <see cref="ChildProcessTests.OutOfMemoryUnderUlimitGivesNullThenThrowsAndTheHeapGoesOn"/>.
/// </summary>
public unsafe class PageMapTests
{
    [Fact]
    public void IsReservedInAnOrdinaryProcess()
    {
        Assert.True(PageMap.Flat);
        Assert.Equal(((nuint)1 << 31) - 1, PageMap.Entries);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(1000)]
    [InlineData(70_000)]
    [InlineData(300_000)]
    public void EverySliceOfABlockMapsToTheBlocksPage(int size)
    {
        byte* p = (byte*)EbbMemory.Alloc((nuint)size);
        try
        {
            var info = Blocks.Find(p);
            Assert.True(info.Page != null, "the block has no page");
            for (nuint off = 0; off < (nuint)size; off += 4096)
                Assert.True(PageMap.Lookup((nuint)p + off) == info.Page, $"offset {off} maps elsewhere");
            Assert.True(PageMap.Lookup((nuint)p + (nuint)size - 1) == info.Page);
        }
        finally { EbbMemory.Free(p); }
    }

    [Fact]
    public void PointersOutsideEbbsChunksMapToNothing()
    {
        int onStack = 0;
        void* glibc = NativeMemory.Alloc(64);
        byte* huge = (byte*)EbbMemory.Alloc(8 << 20);
        try
        {
            Assert.True(PageMap.Lookup((nuint)glibc) == null);
            Assert.True(PageMap.Lookup((nuint)(&onStack)) == null);
            Assert.True(PageMap.Lookup((nuint)huge) == null, "huge blocks are not in chunks");
            Assert.True(PageMap.Lookup(0) == null);
            Assert.True(PageMap.Lookup(nuint.MaxValue - 4095) == null, "a kernel address is past the map");
            Assert.True(PageMap.Lookup((nuint)1 << 47) == null);
        }
        finally
        {
            NativeMemory.Free(glibc);
            EbbMemory.Free(huge);
        }
    }

    [Fact]
    public void ChunkHeadersMapToTheirOwnDescriptors()
    {
        void* p = EbbMemory.Alloc(32);
        try
        {
            nuint chunk = (nuint)p & ~Layout.ChunkMask;
            Page* header = PageMap.Lookup(chunk);
            Assert.True(header != null);
            Assert.Equal(PageKind.Header, header->Kind);
        }
        finally { EbbMemory.Free(p); }
    }
}
