using System.Diagnostics;
using System.Numerics;
using Ebb.Benchmarks.Contenders;

namespace Ebb.Benchmarks.Workloads.Suite;

/// <summary>
/// alloc-test (OLogN's allocator tester, as in mimalloc-bench: <c>alloc-test 1</c> and
/// <c>alloc-test N</c>). Each thread keeps a table of 2^18 / threads slots, half of them filled
/// at the start; then, again and again, it picks a slot with an 80/20 skew (most picks fall in
/// a small hot part of the table) and frees the block there (reading all of it first) or, if
/// the slot is empty, allocates one (writing all of it). Sizes are mostly small: a size class
/// (5-8 B, 9-16 B, ... 513-1024 B) half as likely as the one below it, uniform inside it.
/// Single-thread speed with a large live set; every thread frees only its own blocks. Fixed
/// work: 100 M operations a thread in mimalloc-bench, 10 M × scale here; the figure is
/// operations (allocations and frees) per second.
/// </summary>
public sealed unsafe class AllocTest(int threads) : ISuiteWorkload
{
    public const int TotalSlots = 1 << 18;
    public const int MaxSizeExp = 10;
    public const long BaseOperations = 10_000_000;

    /// <summary>Threads (1 for alloc-test1, 2 for alloc-testN).</summary>
    public int Threads { get; } = threads;

    public string Name => Threads == 1 ? "alloc-test1" : "alloc-testN";
    public string Figure => "operations/s";
    public bool FixedDuration => false;

    public string Parameters(double scale) =>
        $"{Threads} thread{(Threads == 1 ? "" : "s")}, {TotalSlots / Threads} slots each, sizes 5-{1 << MaxSizeExp} B, " +
        $"{OperationsAt(scale) / 1e6:0.##} M operations a thread, every byte written and read";

    private static long OperationsAt(double scale) => Math.Max(1, (long)(BaseOperations * scale));

    public SuiteResult Run<T>(double scale) where T : struct, INativeAllocator
    {
        long ops = OperationsAt(scale);
        long sink = 0;
        var clock = Stopwatch.StartNew();
        SuiteThreads.Run(Threads, "alloc-test", id => Interlocked.Add(ref sink, Worker<T>(id, TotalSlots / Threads, ops)));
        double seconds = clock.Elapsed.TotalSeconds;
        GC.KeepAlive(sink);
        return new SuiteResult(seconds, Threads * ops / seconds);
    }

    private static long Worker<T>(int id, int slots, long operations) where T : struct, INativeAllocator
    {
        var r = new SuiteRandom(41 + (ulong)id);
        var ptrs = new nint[slots];
        var sizes = new int[slots];
        long sum = 0;
        for (int i = 0; i < slots; i++)
            if ((r.Next() & 1) != 0) Fill<T>(ref ptrs[i], ref sizes[i], ref r);
        for (long n = 0; n < operations; n++)
        {
            int idx = Skewed(ref r, slots);
            if (ptrs[idx] != 0) sum += Empty<T>(ref ptrs[idx], sizes[idx]);
            else Fill<T>(ref ptrs[idx], ref sizes[idx], ref r);
        }
        for (int i = 0; i < slots; i++)
            if (ptrs[i] != 0) sum += Empty<T>(ref ptrs[i], sizes[i]);
        return sum;
    }

    /// <summary>A size class half as likely as the one below it (from the trailing zeros of random bits), uniform inside it.</summary>
    private static int Size(ref SuiteRandom r)
    {
        ulong bits = r.Next();
        int cls = Math.Min(BitOperations.TrailingZeroCount(bits | (1UL << (MaxSizeExp - 3))), MaxSizeExp - 3);
        int low = 4 << cls;
        return low + 1 + (int)((bits >> 16) % (ulong)low);
    }

    /// <summary>80/20, six levels deep: with probability 0.8 the pick stays in the first fifth of the range, recursively.</summary>
    private static int Skewed(ref SuiteRandom r, int slots)
    {
        int range = slots;
        for (int level = 0; level < 6 && range >= 5; level++)
        {
            if (r.Below(10) >= 8) break;
            range /= 5;
        }
        return r.Below(range);
    }

    private static void Fill<T>(ref nint slot, ref int sizeSlot, ref SuiteRandom r) where T : struct, INativeAllocator
    {
        int size = Size(ref r);
        byte* p = (byte*)T.Alloc((nuint)size);
        if (p == null) throw new InvalidOperationException($"the allocator returned null for {size} bytes");
        new Span<byte>(p, size).Fill((byte)size);
        BlockTag.Write(p, (nuint)size);
        slot = (nint)p;
        sizeSlot = size;
    }

    private static long Empty<T>(ref nint slot, int size) where T : struct, INativeAllocator
    {
        byte* p = (byte*)slot;
        long sum = 0;
        int i = 0;
        for (; i + 8 <= size; i += 8) sum += *(long*)(p + i);
        for (; i < size; i++) sum += p[i];
        BlockTag.Free<T>(p, (nuint)size);
        slot = 0;
        return sum;
    }
}
