using BenchmarkDotNet.Attributes;
using Ebb.Benchmarks.Contenders;
using Ebb.Benchmarks.Workloads;

namespace Ebb.Benchmarks.Suites;

/// <summary>A buffer grown by Realloc from 16 bytes to 64 MiB, by half its size at a time.</summary>
public class ReallocBenchmarks
{
    [Benchmark(Baseline = true)]
    public void NativeMemory() => ReallocGrowth.Run<NativeMemoryAllocator>();

    [Benchmark]
    public void MimallocPInvoke() => ReallocGrowth.Run<MimallocAllocator>();

    [Benchmark]
    public void ArrayPoolShared() => ReallocGrowth.RunArrayPool();

    [Benchmark]
    public void EbbMemory() => ReallocGrowth.Run<EbbAllocator>();
}
