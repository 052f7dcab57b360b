using Ebb.Benchmarks.Contenders;

namespace Ebb.Benchmarks.Workloads;

/// <summary>
/// The break-heap scenario: allocate 512 MiB of small blocks, then 64 MiB more small blocks that
/// stay live ("on top"), then free the 512 MiB. A break-based heap can only shrink from the top,
/// so it keeps the freed memory unless it purges with madvise. Reports RssAnon above the start at
/// the peak, right after the frees, after 3 s with no allocator call, and after the allocator's trim.
/// Run in a child process per contender: RSS is per process.
/// </summary>
public static unsafe class BreakHeap
{
    /// <summary>Bytes freed.</summary>
    public const long FreedBytes = 512L << 20;

    /// <summary>Bytes kept live above them.</summary>
    public const long LiveBytes = 64L << 20;

    private static readonly nuint[] s_sizes = [32, 48, 64, 96, 128, 160, 192, 256];

    /// <summary>What the scenario measured, bytes above the starting RssAnon.</summary>
    public readonly record struct Result(long Peak, long AfterFree, long After3s, long AfterTrim, double Seconds);

    /// <summary>Runs the scenario through <typeparamref name="T"/>.</summary>
    public static Result Run<T>() where T : struct, INativeAllocator
    {
        long avg = 0;
        foreach (var s in s_sizes) avg += (long)s;
        avg /= s_sizes.Length;
        int capacity = (int)((FreedBytes + LiveBytes) / avg) + 16;
        // The pointer table is managed and fully written before the start is read, so its pages
        // are in the baseline and not in the figures.
        var ptrs = new nint[capacity];
        Array.Fill(ptrs, 1);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long start = Rss.Anon();

        int n = 0;
        int freedCount = Fill<T>(ptrs, ref n, FreedBytes);
        Fill<T>(ptrs, ref n, LiveBytes);
        long peak = Rss.Anon() - start;

        for (int i = 0; i < freedCount; i++) T.Free((void*)ptrs[i]);
        long afterFree = Rss.Anon() - start;
        Thread.Sleep(3000);
        long after3s = Rss.Anon() - start;
        T.Trim();
        long afterTrim = Rss.Anon() - start;

        for (int i = freedCount; i < n; i++)
        {
            if (*(int*)ptrs[i] != i) throw new InvalidOperationException($"live block {i} was overwritten");
            T.Free((void*)ptrs[i]);
        }
        return new Result(peak, afterFree, after3s, afterTrim, clock.Elapsed.TotalSeconds);
    }

    private static int Fill<T>(nint[] ptrs, ref int n, long bytes) where T : struct, INativeAllocator
    {
        long done = 0;
        while (done < bytes)
        {
            nuint size = s_sizes[n & 7];
            void* p = T.Alloc(size);
            *(int*)p = n;
            ptrs[n++] = (nint)p;
            done += (long)size;
        }
        return n;
    }
}
