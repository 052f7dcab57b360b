using System.Diagnostics;
using Ebb.Benchmarks.Contenders;

namespace Ebb.Benchmarks.Workloads.Suite;

/// <summary>
/// larson (Larson and Krishnan's server simulation, as in mimalloc-bench: <c>larson 5 8 1000
/// 5000 100 4141 N</c>). Each of <see cref="Threads"/> threads owns a table of
/// <see cref="BlocksPerThread"/> blocks, which the main thread allocated; it frees a random one
/// and allocates a new one of a random size in [<see cref="MinSize"/>, <see cref="MaxSize"/>)
/// in its place, <see cref="Rounds"/> × <see cref="BlocksPerThread"/> times, then starts a new
/// thread that takes the table over and ends. So blocks are freed by threads that did not
/// allocate them, often after their allocating thread has died: remote frees and thread death
/// at a high rate. Runs for a fixed time (5 s in mimalloc-bench, 1 s × scale here); the figure
/// is allocations per second over all threads.
/// </summary>
public sealed unsafe class Larson : ISuiteWorkload
{
    public const int Threads = 2;
    public const int MinSize = 8;
    public const int MaxSize = 1000;
    public const int BlocksPerThread = 5000;
    public const int Rounds = 100;
    public const ulong Seed = 4141;
    public const double BaseSeconds = 1.0;

    public string Name => "larson";
    public string Figure => "allocations/s";
    public bool FixedDuration => true;

    public string Parameters(double scale) =>
        $"{Threads} threads, {BaseSeconds * scale:0.##} s, sizes {MinSize}-{MaxSize} B, {BlocksPerThread} blocks per thread, " +
        $"a thread hands over after {Rounds} × {BlocksPerThread} replacements, seed {Seed}";

    private sealed class Chain(int id)
    {
        public readonly nint[] Blocks = new nint[BlocksPerThread];
        public readonly int[] Sizes = new int[BlocksPerThread];
        public SuiteRandom Random = new(Seed + (ulong)id);
        public long Allocations;
        public int Generations;
        public readonly ManualResetEventSlim Done = new(false);
    }

    private volatile bool _stop;

    public SuiteResult Run<T>(double scale) where T : struct, INativeAllocator
    {
        _stop = false;
        var group = new SuiteThreads();
        var chains = new Chain[Threads];
        for (int c = 0; c < Threads; c++)
        {
            var chain = chains[c] = new Chain(c);
            for (int i = 0; i < BlocksPerThread; i++)
            {
                int size = MinSize + chain.Random.Below(MaxSize - MinSize);
                chain.Blocks[i] = (nint)BlockTag.Alloc<T>((nuint)size);
                chain.Sizes[i] = size;
            }
        }
        var clock = Stopwatch.StartNew();
        foreach (var chain in chains) StartGeneration<T>(group, chain);
        Thread.Sleep(TimeSpan.FromSeconds(BaseSeconds * scale));
        _stop = true;
        foreach (var chain in chains) chain.Done.Wait();
        double seconds = clock.Elapsed.TotalSeconds;
        // The main thread frees what the last generations left: blocks of threads that have ended.
        foreach (var chain in chains)
            for (int i = 0; i < BlocksPerThread; i++)
                BlockTag.Free<T>((void*)chain.Blocks[i], (nuint)chain.Sizes[i]);
        group.ThrowIfFailed();
        return new SuiteResult(seconds, chains.Sum(c => c.Allocations) / seconds);
    }

    private void StartGeneration<T>(SuiteThreads group, Chain chain) where T : struct, INativeAllocator =>
        group.Start($"larson {chain.Generations++}", () =>
        {
            bool handOver = false;
            try
            {
                Exercise<T>(chain);
                handOver = !_stop && !group.Failed;
            }
            finally
            {
                if (handOver) StartGeneration<T>(group, chain);
                else chain.Done.Set();
            }
        });

    private void Exercise<T>(Chain chain) where T : struct, INativeAllocator
    {
        var random = chain.Random;
        nint[] blocks = chain.Blocks;
        int[] sizes = chain.Sizes;
        long n = 0;
        try
        {
            for (; n < (long)Rounds * BlocksPerThread && !_stop; n++)
            {
                int victim = random.Below(BlocksPerThread);
                BlockTag.Free<T>((void*)blocks[victim], (nuint)sizes[victim]);
                int size = MinSize + random.Below(MaxSize - MinSize);
                blocks[victim] = (nint)BlockTag.Alloc<T>((nuint)size);
                sizes[victim] = size;
            }
        }
        finally
        {
            chain.Random = random;
            chain.Allocations += n;
        }
    }
}
