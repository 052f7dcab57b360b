using System.Diagnostics;
using Ebb.Benchmarks.Contenders;

namespace Ebb.Benchmarks.Workloads.Suite;

/// <summary>
/// glibc-simple (glibc's benchtests/bench-malloc-simple.c, as in mimalloc-bench). For block
/// sizes 16, 32 and 64 bytes and batch lengths 25, 100, 400 and 1600: allocate a batch (writing
/// every 4-byte word of each block), free it, as many times as makes 2,000,000 allocations per
/// batch length (500,000 × scale here); once on the main thread, once on a new thread, once
/// more on the main thread (glibc's main arena, a thread arena, the main arena with the
/// process multi-threaded), after one warm-up pass. The fast path of a thread's own allocations
/// and frees. Fixed work; the figure is allocations per second.
/// </summary>
public sealed unsafe class GlibcSimple : ISuiteWorkload
{
    public static readonly int[] Sizes = [16, 32, 64];
    public static readonly int[] BatchLengths = [25, 100, 400, 1600];
    public const int BaseAllocations = 500_000;

    public string Name => "glibc-simple";
    public string Figure => "allocations/s";
    public bool FixedDuration => false;

    public string Parameters(double scale) =>
        $"1 thread at a time, sizes {string.Join("/", Sizes)} B, batches of {string.Join("/", BatchLengths)}, " +
        $"{AllocationsAt(scale)} allocations per batch length, main thread / new thread / main thread";

    private static int AllocationsAt(double scale) => Math.Max(1, (int)(BaseAllocations * scale));

    public SuiteResult Run<T>(double scale) where T : struct, INativeAllocator
    {
        int perLength = AllocationsAt(scale);
        long allocations = 0;
        var clock = Stopwatch.StartNew();
        foreach (int size in Sizes)
        {
            ulong* batch = TaggedTable.Alloc<T>((nuint)BatchLengths[^1]);
            allocations += AllLengths<T>(batch, size, perLength); // warm-up, as glibc's benchmark does
            allocations += AllLengths<T>(batch, size, perLength);
            long onThread = 0;
            SuiteThreads.Run(1, "glibc-simple", _ => onThread = AllLengths<T>(batch, size, perLength));
            allocations += onThread;
            allocations += AllLengths<T>(batch, size, perLength);
            TaggedTable.Free<T>(batch, (nuint)BatchLengths[^1]);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        return new SuiteResult(seconds, allocations / seconds);
    }

    private static long AllLengths<T>(ulong* batch, int size, int perLength) where T : struct, INativeAllocator
    {
        long allocations = 0;
        foreach (int n in BatchLengths)
        {
            int rounds = perLength / n;
            for (int j = 0; j < rounds; j++)
            {
                for (int i = 0; i < n; i++)
                {
                    int* p = (int*)T.Alloc((nuint)size);
                    if (p == null) throw new InvalidOperationException($"the allocator returned null for {size} bytes");
                    for (int g = 0; g < size / 4; g++) p[g] = g;
                    BlockTag.Write(p, (nuint)size);
                    batch[i] = (ulong)p;
                }
                for (int i = 0; i < n; i++) BlockTag.Free<T>((void*)batch[i], (nuint)size);
            }
            allocations += (long)rounds * n;
        }
        return allocations;
    }
}
