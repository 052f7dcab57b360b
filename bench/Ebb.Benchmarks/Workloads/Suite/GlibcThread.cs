using System.Diagnostics;
using Ebb.Benchmarks.Contenders;

namespace Ebb.Benchmarks.Workloads.Suite;

/// <summary>
/// glibc-thread (glibc's benchtests/bench-malloc-thread.c, as in mimalloc-bench:
/// <c>glibc-thread N</c>). Each of <see cref="Threads"/> threads keeps <see cref="WorkingSet"/>
/// slots; again and again it takes the next slot from a fixed random sequence, frees the block
/// there and allocates a new one of the next size from a fixed random sequence (4 bytes to 32
/// KiB, inverse-square: mostly small, a few large), writing every byte. Threads share nothing.
/// Runs for a fixed time (2 s in mimalloc-bench, 1 s × scale here); the figure is iterations
/// (one free and one allocation) per second over all threads.
/// </summary>
public sealed unsafe class GlibcThread : ISuiteWorkload
{
    public const int Threads = 2;
    public const int WorkingSet = 1024;
    public const int MinSize = 4;
    public const int MaxSize = 32768;
    public const double BaseSeconds = 1.0;
    private const int SizeCount = 8000;
    private const int OffsetCount = WorkingSet * 4;

    public string Name => "glibc-thread";
    public string Figure => "iterations/s";
    public bool FixedDuration => true;

    public string Parameters(double scale) =>
        $"{Threads} threads, {BaseSeconds * scale:0.##} s, {WorkingSet} slots per thread, sizes {MinSize}-{MaxSize} B (inverse square), every byte written";

    private volatile bool _timeout;

    public SuiteResult Run<T>(double scale) where T : struct, INativeAllocator
    {
        var r = new SuiteRandom(88);
        var sizes = new int[SizeCount];
        // Inverse square on [min, max]: the inverse of its distribution function.
        for (int i = 0; i < SizeCount; i++)
            sizes[i] = (int)(1.0 / (1.0 / MinSize - r.NextDouble() * (1.0 / MinSize - 1.0 / MaxSize)));
        var offsets = new int[OffsetCount];
        for (int i = 0; i < OffsetCount; i++) offsets[i] = r.Below(WorkingSet);
        _timeout = false;
        var group = new SuiteThreads();
        var iterations = new long[Threads * 16];
        var threads = new Thread[Threads];
        var clock = Stopwatch.StartNew();
        for (int t = 0; t < Threads; t++)
        {
            int id = t;
            threads[t] = group.Start($"glibc-thread {id}", () => iterations[id * 16] = Loop<T>(sizes, offsets));
        }
        Thread.Sleep(TimeSpan.FromSeconds(BaseSeconds * scale));
        _timeout = true;
        foreach (var t in threads) t.Join();
        double seconds = clock.Elapsed.TotalSeconds;
        group.ThrowIfFailed();
        return new SuiteResult(seconds, iterations.Sum() / seconds);
    }

    private long Loop<T>(int[] sizes, int[] offsets) where T : struct, INativeAllocator
    {
        var ptrs = new nint[WorkingSet];
        var lengths = new int[WorkingSet];
        int offsetState = 0, sizeState = 0;
        long iters = 0;
        try
        {
            while (!_timeout)
            {
                offsetState = offsetState >= OffsetCount - 1 ? 0 : offsetState + 1;
                sizeState = sizeState >= SizeCount - 1 ? 0 : sizeState + 1;
                int idx = offsets[offsetState];
                int size = sizes[sizeState];
                if (ptrs[idx] != 0) BlockTag.Free<T>((void*)ptrs[idx], (nuint)lengths[idx]);
                byte* p = (byte*)T.Alloc((nuint)size);
                if (p == null) throw new InvalidOperationException($"the allocator returned null for {size} bytes");
                for (int i = 0; i < size; i++) p[i] = (byte)i;
                BlockTag.Write(p, (nuint)size);
                ptrs[idx] = (nint)p;
                lengths[idx] = size;
                iters++;
            }
        }
        finally
        {
            for (int i = 0; i < WorkingSet; i++)
                if (ptrs[i] != 0) BlockTag.Free<T>((void*)ptrs[i], (nuint)lengths[i]);
        }
        return iters;
    }
}
