using System.Runtime.InteropServices;

namespace Ebb.Tests.Allocator;

public unsafe class EbbMemoryTests
{
    public static TheoryData<int> Sizes => new() { 0, 1, 15, 16, 17, 100, 128, 129, 1000, 1024, 1025, 4096, 8192, 20000, 131072, 131073, 1 << 20, 4 << 20, (4 << 20) + 1, 20 << 20 };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void AllocGivesAligned_Usable_Writable_AndFreeableBlocks(int size)
    {
        var blocks = new List<nint>();
        for (int i = 0; i < 10; i++)
        {
            byte* p = (byte*)EbbMemory.Alloc((nuint)size);
            Assert.True(p != null);
            Assert.Equal(0, (int)((nuint)p % 16));
            Assert.True(EbbMemory.UsableSize(p) >= (nuint)Math.Max(size, 1));
            new Span<byte>(p, size).Fill((byte)(i + 1));
            blocks.Add((nint)p);
        }
        Assert.Equal(blocks.Count, blocks.Distinct().Count());
        for (int i = 0; i < blocks.Count; i++)
        {
            var span = new Span<byte>((void*)blocks[i], size);
            Assert.True(span.IndexOfAnyExcept((byte)(i + 1)) < 0, $"block {i} was overwritten");
            EbbMemory.Free((void*)blocks[i]);
        }
        EbbMemory.Validate();
    }

    [Fact]
    public void AllocZeroIsUniqueAndNonNull()
    {
        void* a = EbbMemory.Alloc(0), b = EbbMemory.Alloc(0);
        Assert.True(a != null && b != null && a != b);
        EbbMemory.Free(a);
        EbbMemory.Free(b);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void AllocZeroedIsZeroEvenOnReusedMemory(int size)
    {
        for (int round = 0; round < 3; round++)
        {
            byte* p = (byte*)EbbMemory.AllocZeroed((nuint)size);
            Assert.True(new Span<byte>(p, size).IndexOfAnyExcept((byte)0) < 0);
            new Span<byte>(p, size).Fill(0xEE);
            EbbMemory.Free(p);
        }
    }

    [Fact]
    public void ElementCountTimesSizeOverflowIsOutOfMemory()
    {
        Assert.Throws<OutOfMemoryException>(() => { EbbMemory.Alloc(nuint.MaxValue / 2, 3); });
        Assert.Throws<OutOfMemoryException>(() => { EbbMemory.AllocZeroed(nuint.MaxValue / 2, 3); });
        byte* p = (byte*)EbbMemory.AllocZeroed(10, 8);
        Assert.True(EbbMemory.UsableSize(p) >= 80);
        EbbMemory.Free(p);
    }

    [Fact]
    public void AbsurdSizesAreOutOfMemory_AndTryAllocGivesNull()
    {
        Assert.Throws<OutOfMemoryException>(() => { EbbMemory.Alloc(nuint.MaxValue - 100); });
        Assert.True(EbbMemory.TryAlloc(nuint.MaxValue - 100) == null);
        void* p = EbbMemory.TryAlloc(64);
        Assert.True(p != null);
        EbbMemory.Free(p);
    }

    [Fact]
    public void FreeNullDoesNothing()
    {
        // As NativeMemory.Free(null): no exception (null is not an invalid free), and the heap stays whole.
        Assert.Null(Record.Exception(() => EbbMemory.Free(null)));
        Assert.Null(Record.Exception(() => EbbMemory.AlignedFree(null)));
        Assert.Null(Record.Exception(() => { using var heap = new EbbHeap(); heap.Free(null); }));
        EbbMemory.Validate();
    }

    [Fact]
    public void ReallocKeepsContentsThroughSmallLargeAndHugeAndBack()
    {
        nuint size = 10;
        byte* p = (byte*)EbbMemory.Realloc(null, size);
        for (nuint i = 0; i < size; i++) p[i] = (byte)(i * 7);
        foreach (nuint next in new nuint[] { 100, 3000, 200_000, 3 << 20, 9 << 20, 40 << 20, 64 << 20, 5 << 20, 50_000, 20 })
        {
            p = (byte*)EbbMemory.Realloc(p, next);
            nuint keep = Math.Min(size, next);
            for (nuint i = 0; i < keep; i++) Assert.Equal((byte)(i * 7), p[i]);
            for (nuint i = keep; i < next; i++) p[i] = (byte)(i * 7);
            size = next;
            Assert.True(EbbMemory.UsableSize(p) >= next);
        }
        EbbMemory.Free(p);
        EbbMemory.Validate();
    }

    [Fact]
    public void ReallocToZeroKeepsABlock()
    {
        void* p = EbbMemory.Alloc(64);
        p = EbbMemory.Realloc(p, 0);
        Assert.True(p != null);
        EbbMemory.Free(p);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(256)]
    [InlineData(4096)]
    [InlineData(65536)]
    [InlineData(1 << 20)]
    [InlineData(64 << 20)]
    public void AlignedAllocHonoursTheAlignment(int alignment)
    {
        foreach (nuint size in new nuint[] { 1, 24, 100, 4000, 70_000, 300_000, 5 << 20 })
        {
            byte* p = (byte*)EbbMemory.AlignedAlloc(size, (nuint)alignment);
            Assert.Equal(0ul, (ulong)p % (ulong)alignment);
            Assert.True(EbbMemory.UsableSize(p) >= size);
            new Span<byte>(p, (int)size).Fill(0x11);
            p = (byte*)EbbMemory.AlignedRealloc(p, size * 2, (nuint)alignment);
            Assert.Equal(0ul, (ulong)p % (ulong)alignment);
            Assert.True(new Span<byte>(p, (int)size).IndexOfAnyExcept((byte)0x11) < 0);
            EbbMemory.AlignedFree(p);
        }
    }

    [Fact]
    public void AlignmentNotAPowerOfTwoIsAnArgumentError()
    {
        Assert.Throws<ArgumentException>(() => { EbbMemory.AlignedAlloc(10, 24); });
        Assert.Throws<ArgumentException>(() => { EbbMemory.AlignedAlloc(10, 0); });
        Assert.Throws<ArgumentException>(() => { EbbMemory.AlignedRealloc(null, 10, 3); });
    }

    [Fact]
    public void BlocksFreedOnAnotherThreadAreReused()
    {
        const int n = 5000;
        var blocks = new nint[n];
        for (int i = 0; i < n; i++) { blocks[i] = (nint)EbbMemory.Alloc(48); *(int*)blocks[i] = i; }
        var t = new Thread(() =>
        {
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(i, *(int*)blocks[i]);
                EbbMemory.Free((void*)blocks[i]);
            }
        });
        t.Start();
        t.Join();
        var before = EbbMemory.GetStats();
        var again = new HashSet<nint>();
        for (int i = 0; i < n; i++) again.Add((nint)EbbMemory.Alloc(48));
        // The remote frees were collected: the same pages served the new blocks.
        Assert.True(again.Overlaps(blocks), "no remotely freed block was reused");
        foreach (var p in again) EbbMemory.Free((void*)p);
        EbbMemory.Validate();
        Assert.True(before.InUseBlocks >= 0);
    }

    [Fact]
    public void StatsCountBlocksInUse()
    {
        var blocks = new List<nint>();
        for (int i = 0; i < 1000; i++) blocks.Add((nint)EbbMemory.Alloc(496));
        var s = EbbMemory.GetStats();
        var cls = s.SizeClasses.Single(c => c.BlockSize == 512);
        Assert.True(cls.BlocksInUse >= 1000);
        Assert.True(s.CommittedBytes >= 1000 * 512);
        Assert.True(s.ReservedBytes >= s.CommittedBytes - 64 * 1024 * 1024);
        foreach (var p in blocks) EbbMemory.Free((void*)p);
        var text = new StringWriter();
        EbbMemory.PrintStats(text);
        Assert.Contains("committed", text.ToString());
        Assert.Contains("512", text.ToString());
    }

    [Fact]
    public void TryFindBlockNamesTheBlockAroundAnInteriorPointer()
    {
        byte* p = (byte*)EbbMemory.Alloc(100);
        Assert.True(Ebb.Checks.Backend.TryFindBlock(p + 37, out void* start, out nuint size));
        Assert.True(start == p);
        Assert.Equal(EbbMemory.UsableSize(p), size);
        Assert.Equal(Ebb.Checks.Backend.UsableSize(p), size);
        long local = 0;
        Assert.False(Ebb.Checks.Backend.TryFindBlock(&local, out _, out _));
        Ebb.Checks.Backend.Free(p);
        void* q = Ebb.Checks.Backend.Alloc(10);
        void* r = Ebb.Checks.Backend.AlignedAlloc(10, 256);
        Assert.Equal(0ul, (ulong)r % 256);
        Ebb.Checks.Backend.Free(q);
        Ebb.Checks.Backend.Free(r);
    }
}
