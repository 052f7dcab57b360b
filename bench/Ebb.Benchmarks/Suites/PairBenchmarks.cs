using BenchmarkDotNet.Attributes;
using Ebb.Benchmarks.Contenders;
using Ebb.Benchmarks.Workloads;

namespace Ebb.Benchmarks.Suites;

/// <summary>
/// Alloc+free pairs in batches of 100 (BenchmarkDotNet's figure is per pair). Run with
/// <c>--filter '*PairBenchmarks*'</c>; add <c>--envVars LD_PRELOAD:/usr/lib/x86_64-linux-gnu/libmimalloc.so.2</c>
/// (or jemalloc, tcmalloc) to see NativeMemory on another malloc.
/// </summary>
[MemoryDiagnoser]
public class PairBenchmarks
{
    private readonly byte[][] _slots = new byte[Pairs.BatchSize][];

    /// <summary>Block size in bytes.</summary>
    [Params(16, 64, 256, 1024, 8192)]
    public int Size { get; set; }

    [Benchmark(Baseline = true, OperationsPerInvoke = Pairs.BatchSize)]
    public long NativeMemory() => Pairs.Run<NativeMemoryAllocator>((nuint)Size, 1);

    [Benchmark(OperationsPerInvoke = Pairs.BatchSize)]
    public long MimallocPInvoke() => Pairs.Run<MimallocAllocator>((nuint)Size, 1);

    [Benchmark(OperationsPerInvoke = Pairs.BatchSize)]
    public long ArrayPoolShared() => Pairs.RunArrayPool(Size, 1, _slots);

    [Benchmark(OperationsPerInvoke = Pairs.BatchSize)]
    public long FreeListFloor() => Pairs.Run<Contenders.FreeListFloor>((nuint)Size, 1);

    [Benchmark(OperationsPerInvoke = Pairs.BatchSize)]
    public long EbbMemory() => Pairs.Run<EbbAllocator>((nuint)Size, 1);

    [Benchmark(OperationsPerInvoke = Pairs.BatchSize)]
    public long EbbHeap() => Pairs.Run<EbbHeapAllocator>((nuint)Size, 1);
}
