namespace Ebb.Tests.Allocator;

// Serial: the dispose test reads process-wide committed bytes, which other tests move.
[Collection(nameof(AllocatorSerial))]
public unsafe class EbbHeapTests
{
    [Fact]
    public void DisposeGivesBackEveryBlockAtOnce()
    {
        var heap = new EbbHeap();
        var before = EbbMemory.GetStats();
        var blocks = new List<nint>();
        foreach (nuint size in new nuint[] { 16, 100, 1000, 10_000, 100_000, 1 << 20, 6 << 20 })
            for (int i = 0; i < 50; i++)
            {
                byte* p = (byte*)heap.Alloc(size);
                p[0] = 1;
                p[size - 1] = 2;
                blocks.Add((nint)p);
            }
        void* z = heap.AllocZeroed(500);
        Assert.True(new Span<byte>(z, 500).IndexOfAnyExcept((byte)0) < 0);
        void* a = heap.AlignedAlloc(100, 4096);
        Assert.Equal(0ul, (ulong)a % 4096);
        var during = EbbMemory.GetStats();
        Assert.True(during.CommittedBytes > before.CommittedBytes + (50L * ((1 << 20) + (6 << 20))));
        heap.Dispose();
        var after = EbbMemory.GetStats();
        Assert.True(after.CommittedBytes < during.CommittedBytes - (50L * ((1 << 20) + (6 << 20))));
        Assert.Throws<ObjectDisposedException>(() => { heap.Alloc(10); });
        heap.Dispose();
        EbbMemory.Validate();
    }

    [Fact]
    public void ItsBlocksCanBeFreedFromAnyThread()
    {
        using var heap = new EbbHeap();
        var blocks = new nint[2000];
        for (int i = 0; i < blocks.Length; i++) { blocks[i] = (nint)heap.Alloc(64); *(int*)blocks[i] = i; }
        Threads.Run(2, k =>
        {
            for (int i = k; i < blocks.Length; i += 2)
            {
                Assert.Equal(i, *(int*)blocks[i]);
                EbbMemory.Free((void*)blocks[i]);
            }
        });
        // Freed blocks are collected and reused by the heap's next allocations.
        var again = new HashSet<nint>();
        for (int i = 0; i < blocks.Length; i++) again.Add((nint)heap.Alloc(64));
        Assert.True(again.Overlaps(blocks));
        void* r = heap.Realloc(null, 10);
        r = heap.Realloc(r, 100_000);
        heap.Free(r);
        EbbMemory.Validate();
    }

    [Fact]
    public void BlocksFreedAreReusedByTheHeap_ZeroedWhenAsked_AndBadFreesAreRefused()
    {
        using var heap = new EbbHeap();
        using var other = new EbbHeap();
        var blocks = new HashSet<nint>();
        for (int i = 0; i < 1000; i++) blocks.Add((nint)heap.Alloc(48));   // one page (1,365 blocks)
        foreach (var p in blocks)
        {
            new Span<byte>((void*)p, 48).Fill(0xFF);
            heap.Free((void*)p);
        }
        // Reused: all from the same page, and all but the few carved ahead and never handed out
        // (a page is carved 4 KiB at a time) are the blocks freed.
        var pages = blocks.Select(p => (nint)Ebb.Heap.Blocks.Find((void*)p).Page).ToHashSet();
        var again = new HashSet<nint>();
        for (int i = 0; i < 1000; i++) again.Add((nint)heap.Alloc(48));
        Assert.Single(pages);
        Assert.All(again, p => Assert.Contains((nint)Ebb.Heap.Blocks.Find((void*)p).Page, pages));
        Assert.True(again.Intersect(blocks).Count() >= 1000 - 4096 / 48, $"only {again.Intersect(blocks).Count()} of the blocks freed came back");
        // A reused block comes back cleared from AllocZeroed (the direct slot's path).
        foreach (var p in again) heap.Free((void*)p);
        var zeroed = new List<nint>();
        for (int i = 0; i < 200; i++)
        {
            byte* z = (byte*)heap.AllocZeroed(40);
            Assert.True(new Span<byte>(z, 40).IndexOfAnyExcept((byte)0) < 0, $"block {i} not zeroed");
            zeroed.Add((nint)z);
        }
        Assert.True(zeroed.Intersect(blocks).Any(), "AllocZeroed reused none of the blocks filled with 0xFF");

        byte* q = (byte*)heap.Alloc(100);
        Assert.Equal(EbbErrorKind.InvalidFree, Assert.Throws<EbbMemoryException>(() => heap.Free(q + 16)).Kind);
        heap.Free(q);
        Assert.Equal(EbbErrorKind.DoubleFree, Assert.Throws<EbbMemoryException>(() => heap.Free(q)).Kind);

        // Blocks of another heap, of EbbMemory and large ones go the general way.
        void* o = other.Alloc(48), m = EbbMemory.Alloc(48), big = heap.Alloc(300_000);
        heap.Free(o);
        heap.Free(m);
        heap.Free(big);
        foreach (var p in zeroed) heap.Free((void*)p);
        EbbMemory.Validate();
    }

    [Fact]
    public void ThreadsAllocatingFromOneHeapAtOnce_NeverShareABlock()
    {
        // The heap's lock is all that keeps four threads apart here: were two let in at once,
        // they would pop the same block or corrupt a page's lists, and a stamp would change.
        using var heap = new EbbHeap();
        Threads.Run(4, t =>
        {
            var r = new Random(t);
            var live = new List<(nint P, int Size, int Stamp)>();
            for (int i = 0; i < 20_000; i++)
            {
                if (live.Count > 0 && r.Next(3) == 0)
                {
                    int k = r.Next(live.Count);
                    var (p, size, stamp) = live[k];
                    Assert.Equal(stamp, *(int*)p);
                    Assert.Equal(stamp, *(int*)(p + size - 4));
                    live[k] = live[^1];
                    live.RemoveAt(live.Count - 1);
                    if (r.Next(2) == 0) heap.Free((void*)p);
                    else
                    {
                        int grown = size + r.Next(1, 5000);
                        byte* q = (byte*)heap.Realloc((void*)p, (nuint)grown);
                        Assert.Equal(stamp, *(int*)q);
                        int s2 = t << 24 | i;
                        *(int*)q = s2;
                        *(int*)(q + grown - 4) = s2;
                        live.Add(((nint)q, grown, s2));
                    }
                }
                else
                {
                    int size = r.Next(8, 2000);
                    byte* p = (byte*)heap.Alloc((nuint)size);
                    int stamp = t << 24 | i;
                    *(int*)p = stamp;
                    *(int*)(p + size - 4) = stamp;
                    live.Add(((nint)p, size, stamp));
                }
            }
            foreach (var (p, size, stamp) in live)
            {
                Assert.Equal(stamp, *(int*)p);
                Assert.Equal(stamp, *(int*)(p + size - 4));
            }
        });
        EbbMemory.Validate();
    }

    [Fact]
    public void DisposeLeavesAloneTheBlocksOfThreadsThatDied()
    {
        // Threads die holding blocks: their heaps are abandoned, their pages wait to be adopted.
        // An EbbHeap must not adopt them: its Dispose gives back every page it holds, and these
        // pages hold the dead threads' live blocks.
        var held = new System.Collections.Concurrent.ConcurrentBag<(nint P, int Size, byte Fill)>();
        Threads.Run(4, t =>
        {
            var r = new Random(t);
            for (int i = 0; i < 20_000; i++)
            {
                int size = r.Next(12, 3000);
                byte* p = (byte*)EbbMemory.Alloc((nuint)size);
                new Span<byte>(p, size).Fill((byte)(t + 1));
                if (i % 3 == 0) held.Add(((nint)p, size, (byte)(t + 1))); else EbbMemory.Free(p);
            }
        });
        GC.Collect();
        GC.WaitForPendingFinalizers();
        for (int round = 0; round < 2; round++)
        {
            using var heap = new EbbHeap();
            var r = new Random(round);
            for (int i = 0; i < 20_000; i++)
            {
                int size = r.Next(12, 3000);
                byte* p = (byte*)heap.Alloc((nuint)size);
                new Span<byte>(p, size).Fill(0xEE);
                if (i % 10 != 0) EbbMemory.Free(p);
            }
        }
        int overwritten = held.Count(b => new Span<byte>((void*)b.P, b.Size).IndexOfAnyExcept(b.Fill) >= 0);
        Assert.Equal(0, overwritten);
        foreach (var b in held) EbbMemory.Free((void*)b.P);
        EbbMemory.Validate();
    }
}
