using System.Diagnostics;
using Ebb.Benchmarks.Contenders;

namespace Ebb.Benchmarks.Workloads.Suite;

/// <summary>
/// cache-scratch (Hoard's passive false-sharing test, as in mimalloc-bench: <c>cache-scratch 1
/// 1000 1 2000000 N</c> and <c>cache-scratch N 1000 1 2000000 N</c>). The main thread allocates
/// one small block per thread, next to each other, and hands them out; each thread frees the one
/// it was given, then <see cref="Iterations"/> times allocates a block of
/// <see cref="ObjectSize"/> bytes, writes and reads it repetitions / threads times, and frees
/// it. An allocator that gives a thread back the block freed there (which shares a cache line
/// with another thread's block) makes the threads fight over the line. Fixed work: 2,000,000
/// repetitions in mimalloc-bench, 200,000 × scale here.
/// </summary>
public sealed unsafe class CacheScratch(int threads) : ISuiteWorkload
{
    public const int Iterations = 1000;
    public const int ObjectSize = 1;
    public const int BaseRepetitions = 200_000;

    /// <summary>Threads (1 for cache-scratch1, 2 for cache-scratchN).</summary>
    public int Threads { get; } = threads;

    public string Name => Threads == 1 ? "cache-scratch1" : "cache-scratchN";
    public string Figure => "writes/s";
    public bool FixedDuration => false;

    public string Parameters(double scale) =>
        $"{Threads} thread{(Threads == 1 ? "" : "s")}, {Iterations} iterations, {ObjectSize} B blocks, {RepetitionsAt(scale)} repetitions in all";

    private static int RepetitionsAt(double scale) => Math.Max(1, (int)(BaseRepetitions * scale));

    public SuiteResult Run<T>(double scale) where T : struct, INativeAllocator
    {
        int reps = RepetitionsAt(scale) / Threads;
        var given = new nint[Threads];
        for (int i = 0; i < Threads; i++) given[i] = (nint)BlockTag.Alloc<T>(ObjectSize);
        var clock = Stopwatch.StartNew();
        SuiteThreads.Run(Threads, "cache-scratch", id =>
        {
            BlockTag.Free<T>((void*)given[id], ObjectSize);
            CacheThrash.Hammer<T>(Iterations, ObjectSize, reps);
        });
        double seconds = clock.Elapsed.TotalSeconds;
        return new SuiteResult(seconds, (double)Iterations * reps * ObjectSize * Threads / seconds);
    }
}
