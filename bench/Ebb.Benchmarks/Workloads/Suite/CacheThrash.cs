using System.Diagnostics;
using System.Runtime.CompilerServices;
using Ebb.Benchmarks.Contenders;

namespace Ebb.Benchmarks.Workloads.Suite;

/// <summary>
/// cache-thrash (Hoard's active false-sharing test, as in mimalloc-bench: <c>cache-thrash 1 1000
/// 1 2000000 N</c> and <c>cache-thrash N 1000 1 2000000 N</c>). Each thread
/// <see cref="Iterations"/> times allocates a block of <see cref="ObjectSize"/> bytes, writes and
/// reads it repetitions / threads times, and frees it. An allocator that gives two threads
/// blocks in one cache line makes them fight over it. Fixed work: 2,000,000 repetitions in
/// mimalloc-bench, 200,000 × scale here.
/// </summary>
public sealed unsafe class CacheThrash(int threads) : ISuiteWorkload
{
    public const int Iterations = 1000;
    public const int ObjectSize = 1;
    public const int BaseRepetitions = 200_000;

    /// <summary>Threads (1 for cache-thrash1, 2 for cache-thrashN).</summary>
    public int Threads { get; } = threads;

    public string Name => Threads == 1 ? "cache-thrash1" : "cache-thrashN";
    public string Figure => "writes/s";
    public bool FixedDuration => false;

    public string Parameters(double scale) =>
        $"{Threads} thread{(Threads == 1 ? "" : "s")}, {Iterations} iterations, {ObjectSize} B blocks, {RepetitionsAt(scale)} repetitions in all";

    private static int RepetitionsAt(double scale) => Math.Max(1, (int)(BaseRepetitions * scale));

    public SuiteResult Run<T>(double scale) where T : struct, INativeAllocator
    {
        int reps = RepetitionsAt(scale) / Threads;
        var clock = Stopwatch.StartNew();
        SuiteThreads.Run(Threads, "cache-thrash", _ => Hammer<T>(Iterations, ObjectSize, reps));
        double seconds = clock.Elapsed.TotalSeconds;
        return new SuiteResult(seconds, (double)Iterations * reps * ObjectSize * Threads / seconds);
    }

    /// <summary>
    /// The loop both cache tests share: allocate and tag, <see cref="Touch"/> the block, then
    /// check the tag and free.
    /// </summary>
    public static void Hammer<T>(int iterations, int size, int repetitions) where T : struct, INativeAllocator
    {
        for (int i = 0; i < iterations; i++)
        {
            byte* obj = BlockTag.Alloc<T>((nuint)size);
            Touch(obj, size, repetitions);
            BlockTag.Free<T>(obj, (nuint)size);
        }
    }

    /// <summary>
    /// <paramref name="repetitions"/> times write every byte and read it back (a volatile read,
    /// so neither is optimised away). The bytes written are the tag's own, so the writes are the
    /// original's and the tag still tells whether another thread wrote the block meanwhile.
    /// Kept out of <see cref="Hammer"/> so that every contender runs this one compiled loop: when
    /// it shared a method with an inlined allocator, the JIT's on-stack-replacement code kept the
    /// loop counter on the stack for one contender and not the other, and the test measured that
    /// instead of cache-line sharing (see docs/benchmarks.md). Compiled fully optimised at once,
    /// not tiered: when it went through on-stack replacement and tier 1 at run time, which of
    /// those versions ran how long depended on the JIT's other work in the process (more with
    /// Ebb, whose R2R code is rejitted), not on where the block lay.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Touch(byte* obj, int size, int repetitions)
    {
        for (int j = 0; j < repetitions; j++)
            for (int k = 0; k < size; k++)
            {
                obj[k] = obj[k];
                _ = Volatile.Read(ref obj[k]);
            }
    }
}
