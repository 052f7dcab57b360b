using BenchmarkDotNet.Attributes;
using Ebb.Benchmarks.Contenders;
using Ebb.Benchmarks.Workloads;

namespace Ebb.Benchmarks.Suites;

/// <summary>One thread allocates, another frees, through a ring; the figure is per block.</summary>
public class ProducerConsumerBenchmarks
{
    private const int Blocks = 20_000;
    private Worker producer = null!, consumer = null!;
    private readonly SpscRing<nint> ring = new(1024);
    private readonly SpscRing<byte[]> arrays = new(1024);

    [GlobalSetup]
    public void Setup()
    {
        producer = new Worker("producer", CpuAffinity.Pick(0, needed: 2));
        consumer = new Worker("consumer", CpuAffinity.Pick(1, needed: 2));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        producer.Dispose();
        consumer.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Blocks)]
    public TimeSpan NativeMemory() => ProducerConsumer.Run<NativeMemoryAllocator>(Blocks, producer, consumer, ring);

    [Benchmark(OperationsPerInvoke = Blocks)]
    public TimeSpan MimallocPInvoke() => ProducerConsumer.Run<MimallocAllocator>(Blocks, producer, consumer, ring);

    [Benchmark(OperationsPerInvoke = Blocks)]
    public TimeSpan ArrayPoolShared() => ProducerConsumer.RunArrayPool(Blocks, producer, consumer, arrays);

    [Benchmark(OperationsPerInvoke = Blocks)]
    public TimeSpan EbbMemory() => ProducerConsumer.Run<EbbAllocator>(Blocks, producer, consumer, ring);
}
