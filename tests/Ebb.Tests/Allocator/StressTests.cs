using System.Collections.Concurrent;

namespace Ebb.Tests.Allocator;

/// <summary>
/// Several threads allocating, writing, reallocating and freeing each other's blocks, some
/// threads dying with blocks still live (freed later by the others), and EbbHeaps used
/// across threads and disposed; every block's contents are checked before it is freed.
/// </summary>
public unsafe class StressTests
{
    // A block carries its own description: size and a stamp at the start, the stamp at the end.
    private static void Stamp(byte* p, int size, int stamp)
    {
        *(int*)p = size;
        *(int*)(p + 4) = stamp;
        *(int*)(p + size - 4) = stamp;
    }

    private static void CheckStamp(nint block)
    {
        byte* p = (byte*)block;
        int size = *(int*)p, stamp = *(int*)(p + 4);
        Assert.True(size >= 12 && EbbMemory.UsableSize(p) >= (nuint)size, $"block {block:x} lost its size ({size})");
        Assert.Equal(stamp, *(int*)(p + size - 4));
    }

    private static int NextSize(Random r) => r.Next(100) switch
    {
        < 70 => r.Next(12, 1025),
        < 95 => r.Next(1025, 70_000),
        < 99 => r.Next(70_000, 1 << 20),
        _ => r.Next(4 << 20, 6 << 20),
    };

    [Fact]
    public void ThreadsFreeEachOthersBlocksAndDieHoldingSome()
    {
        const int workers = 4, steps = 40_000;
        var exchange = new ConcurrentQueue<nint>();
        var orphans = new ConcurrentBag<nint>();
        Threads.Run(workers, seed =>
        {
            var r = new Random(seed);
            var mine = new List<nint>();
            for (int i = 0; i < steps; i++)
            {
                switch (r.Next(10))
                {
                    case < 4:
                        int size = NextSize(r);
                        byte* p = (byte*)EbbMemory.Alloc((nuint)size);
                        Stamp(p, size, seed * steps + i);
                        mine.Add((nint)p);
                        break;
                    case < 6 when mine.Count > 0:
                        // Hand a block to another thread: its free will be remote.
                        int k = r.Next(mine.Count);
                        exchange.Enqueue(mine[k]);
                        mine[k] = mine[^1];
                        mine.RemoveAt(mine.Count - 1);
                        break;
                    case < 8:
                        if (exchange.TryDequeue(out var q)) { CheckStamp(q); EbbMemory.Free((void*)q); }
                        break;
                    case 8 when mine.Count > 0:
                        int j = r.Next(mine.Count);
                        CheckStamp(mine[j]);
                        int oldStamp = *(int*)((byte*)mine[j] + 4);
                        int newSize = NextSize(r);
                        byte* g = (byte*)EbbMemory.Realloc((void*)mine[j], (nuint)newSize);
                        Assert.Equal(oldStamp, *(int*)(g + 4));
                        Stamp(g, newSize, oldStamp);
                        mine[j] = (nint)g;
                        break;
                    case 9 when mine.Count > 0:
                        int m = r.Next(mine.Count);
                        CheckStamp(mine[m]);
                        EbbMemory.Free((void*)mine[m]);
                        mine[m] = mine[^1];
                        mine.RemoveAt(mine.Count - 1);
                        break;
                }
            }
            // This thread dies holding its blocks; someone else frees them.
            foreach (var p in mine) orphans.Add(p);
        });
        GC.Collect();
        GC.WaitForPendingFinalizers();
        // The dead threads' blocks, freed from yet other threads.
        var all = orphans.Concat(exchange).ToList();
        Threads.Run(2, k =>
        {
            for (int i = k; i < all.Count; i += 2) { CheckStamp(all[i]); EbbMemory.Free((void*)all[i]); }
        });
        EbbMemory.Validate();
    }

    [Fact]
    public void EbbHeapsSharedAcrossThreadsThenDisposed()
    {
        var failures = new ConcurrentQueue<Exception>();
        for (int round = 0; round < 4; round++)
        {
            using var heap = new EbbHeap();
            var queue = new BlockingCollection<nint>(1000);
            var producer = new Thread(() =>
            {
                try
                {
                    var r = new Random(round);
                    for (int i = 0; i < 20_000; i++)
                    {
                        int size = r.Next(12, 3000);
                        byte* p = (byte*)heap.Alloc((nuint)size);
                        Stamp(p, size, i);
                        queue.Add((nint)p);
                    }
                }
                catch (Exception e) { failures.Enqueue(e); }
                finally { queue.CompleteAdding(); }
            });
            var kept = new List<nint>();
            var consumer = new Thread(() =>
            {
                try
                {
                    int n = 0;
                    foreach (var p in queue.GetConsumingEnumerable())
                    {
                        CheckStamp(p);
                        // Free most remotely; keep some for Dispose to reclaim.
                        if (n++ % 10 == 0) kept.Add(p); else EbbMemory.Free((void*)p);
                    }
                }
                catch (Exception e) { failures.Enqueue(e); }
            });
            producer.Start();
            consumer.Start();
            producer.Join();
            consumer.Join();
            Assert.Empty(failures);
            foreach (var p in kept) CheckStamp(p);
        }
        EbbMemory.Validate();
    }
}
