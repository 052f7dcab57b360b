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
    public void IsReadOnlyButForTheChunksInUse_SoStrictOvercommitChargesNothingForIt()
    {
        void* p = EbbMemory.Alloc(64);
        try
        {
            ulong start = (ulong)PageMap.Base, end = start + (16UL << 30);
            var pieces = new List<(ulong From, ulong To, string Perms)>();
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                var f = line.Split(' ', 3);
                var range = f[0].Split('-');
                ulong from = Convert.ToUInt64(range[0], 16), to = Convert.ToUInt64(range[1], 16);
                if (from >= start && to <= end) pieces.Add((from, to, f[1]));
            }
            Assert.Equal(16UL << 30, pieces.Aggregate(0UL, (sum, x) => sum + (x.To - x.From)));
            ulong writable = pieces.Where(x => x.Perms.StartsWith("rw")).Aggregate(0UL, (sum, x) => sum + (x.To - x.From));
            Assert.True(pieces.All(x => x.Perms.StartsWith("r")), "part of the map is not readable");
            // One 4 KiB page per chunk taken: the block's chunk's entries are writable, the rest not.
            ulong entries = (ulong)PageMap.Of((Chunk*)((nuint)p & ~Layout.ChunkMask));
            Assert.Contains(pieces, x => x.Perms.StartsWith("rw") && x.From <= entries && entries < x.To);
            Assert.True(writable >= 4096 && writable < 1UL << 20, $"{writable} bytes of the map are writable");
        }
        finally { EbbMemory.Free(p); }
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
