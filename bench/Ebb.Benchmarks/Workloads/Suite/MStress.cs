using System.Diagnostics;
using Ebb.Benchmarks.Contenders;

namespace Ebb.Benchmarks.Workloads.Suite;

/// <summary>
/// mstress (mimalloc's test/test-stress.c; mimalloc-bench runs <c>mstress N 50 25</c>: threads,
/// load per thread in percent, iterations). Each iteration starts <see cref="Threads"/> new
/// threads; thread t makes 100 × load × (t mod 8 + 1) allocations of 1-16 words (powers of
/// two), and half as many longer-lived "retained" ones of 1-64 words, with 2% of them 100×
/// bigger, 0.2% 1000× and 0.02% 10000× (a few MiB); it frees two thirds of the short-lived ones
/// as it goes and swaps a quarter with a slot of a shared 1000-slot transfer table, so blocks
/// move between threads; then it frees everything it holds and ends. Between iterations the
/// main thread frees half of the transfer table; after the last, all of it. Threads die with
/// other threads' blocks in flight and no GC ever runs: the test of an allocator's thread death.
/// Every word of a block holds a pattern of its address and size, checked at its free (the
/// program's own check, with the address mixed in). Fixed work; the figure is allocations per
/// second. <see cref="Iterations"/> is 25 as in mimalloc-bench, or 200 for the RSS-growth check.
/// </summary>
public sealed unsafe class MStress(int iterations) : ISuiteWorkload
{
    public const int Threads = 2;
    public const int Load = 50;
    public const int Transfers = 1000;
    private const int MaxItemShift = 5;
    private const int MaxRetainedShift = MaxItemShift + 2;
    private const ulong Cookie = 0xbf58476d1ce4e5b9UL;
    private const nuint MaxItems = ((nuint)1 << (MaxRetainedShift - 1)) * 10000;

    /// <summary>Iterations: threads created and ended this many times.</summary>
    public int Iterations { get; } = iterations;

    public string Name => Iterations == 25 ? "mstress" : $"mstress-{Iterations}";
    public string Figure => "allocations/s";
    public bool FixedDuration => false;

    public string Parameters(double scale) =>
        $"{Threads} threads, load {LoadAt(scale)}%, {Iterations} iterations, {Transfers}-slot transfer table";

    private static int LoadAt(double scale) => Math.Max(1, (int)Math.Round(Load * scale));

    private readonly nint[] _transfer = new nint[Transfers];
    private long _allocations;

    public SuiteResult Run<T>(double scale) where T : struct, INativeAllocator
    {
        Array.Clear(_transfer);
        _allocations = 0;
        int load = LoadAt(scale);
        var random = new SuiteRandom(0x7feb352d);
        var clock = Stopwatch.StartNew();
        for (int n = 0; n < Iterations; n++)
        {
            SuiteThreads.Run(Threads, "mstress", tid => Stress<T>(tid, load));
            for (int i = 0; i < Transfers; i++)
                if (random.Chance(50) || n + 1 == Iterations)
                    FreeItems<T>(Interlocked.Exchange(ref _transfer[i], 0));
        }
        double seconds = clock.Elapsed.TotalSeconds;
        return new SuiteResult(seconds, _allocations / seconds);
    }

    private void Stress<T>(int tid, int load) where T : struct, INativeAllocator
    {
        var r = new SuiteRandom((ulong)tid * 43);
        nuint allocs = (nuint)(100 * load * (tid % 8 + 1));
        nuint retain = allocs / 2;
        long made = (long)(allocs + retain);
        ulong* data = null;
        nuint dataSize = 0, dataTop = 0;
        ulong* retained = TaggedTable.Alloc<T>(retain);
        nuint retainCount = retain, retainTop = 0;
        while (allocs > 0 || retain > 0)
        {
            if (retain == 0 || (r.Chance(50) && allocs > 0))
            {
                allocs--;
                if (dataTop >= dataSize)
                {
                    data = TaggedTable.Realloc<T>(data, dataSize, dataSize + 100000);
                    dataSize += 100000;
                }
                data[dataTop++] = (ulong)AllocItems<T>((nuint)1 << r.Below(MaxItemShift), ref r);
            }
            else
            {
                retained[retainTop++] = (ulong)AllocItems<T>((nuint)1 << r.Below(MaxRetainedShift), ref r);
                retain--;
            }
            if (r.Chance(66) && dataTop > 0)
            {
                nuint idx = (nuint)r.Below((int)dataTop);
                FreeItems<T>((nint)data[idx]);
                data[idx] = 0;
            }
            if (r.Chance(25) && dataTop > 0)
            {
                nuint idx = (nuint)r.Below((int)dataTop);
                int slot = r.Below(Transfers);
                data[idx] = (ulong)Interlocked.Exchange(ref _transfer[slot], (nint)data[idx]);
            }
        }
        for (nuint i = 0; i < retainTop; i++) FreeItems<T>((nint)retained[i]);
        for (nuint i = 0; i < dataTop; i++) FreeItems<T>((nint)data[i]);
        TaggedTable.Free<T>(retained, retainCount);
        TaggedTable.Free<T>(data, dataSize);
        Interlocked.Add(ref _allocations, made);
    }

    private static ulong Key(void* p) => BlockTag.Pattern(p, 0) ^ Cookie;

    private static ulong* AllocItems<T>(nuint items, ref SuiteRandom r) where T : struct, INativeAllocator
    {
        if (r.Chance(1))
        {
            if (r.Chance(1)) items *= 10000;
            else if (r.Chance(10)) items *= 1000;
            else items *= 100;
        }
        if (items == 40) items++;
        ulong* p = (ulong*)T.Alloc(items * 8);
        if (p == null) throw new InvalidOperationException($"the allocator returned null for {items * 8} bytes");
        ulong key = Key(p);
        for (nuint i = 0; i < items; i++) p[i] = (items - i) ^ key;
        return p;
    }

    private static void FreeItems<T>(nint block) where T : struct, INativeAllocator
    {
        if (block == 0) return;
        ulong* q = (ulong*)block;
        ulong key = Key(q);
        ulong items = q[0] ^ key;
        if (items == 0 || items > MaxItems) Fail(q, 0);
        for (ulong i = 0; i < items; i++)
            if ((q[i] ^ key) != items - i) Fail(q, i);
        T.Free(q);
    }

    private static void Fail(void* p, ulong word) =>
        throw new BlockTagException($"mstress: tag mismatch in the block at 0x{(ulong)p:x}, word {word}: it was written between its allocation and its free");
}
