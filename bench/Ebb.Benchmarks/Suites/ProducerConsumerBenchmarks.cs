using BenchmarkDotNet.Attributes;
using Ebb.Benchmarks.Contenders;
using Ebb.Benchmarks.Workloads;

namespace Ebb.Benchmarks.Suites;

/// <summary>One thread allocates, another frees, through a ring; the figure is per block.</summary>
public class ProducerConsumerBenchmarks
{
    private const int Blocks = 20_000;
    private Worker _producer = null!, _consumer = null!;
    private readonly SpscRing<nint> _ring = new(1024);
    private readonly SpscRing<byte[]> _arrays = new(1024);

    [GlobalSetup]
    public void Setup()
    {
        _producer = new Worker("producer", CpuAffinity.Pick(0, needed: 2));
        _consumer = new Worker("consumer", CpuAffinity.Pick(1, needed: 2));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _producer.Dispose();
        _consumer.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Blocks)]
    public TimeSpan NativeMemory() => ProducerConsumer.Run<NativeMemoryAllocator>(Blocks, _producer, _consumer, _ring);

    [Benchmark(OperationsPerInvoke = Blocks)]
    public TimeSpan MimallocPInvoke() => ProducerConsumer.Run<MimallocAllocator>(Blocks, _producer, _consumer, _ring);

    [Benchmark(OperationsPerInvoke = Blocks)]
    public TimeSpan ArrayPoolShared() => ProducerConsumer.RunArrayPool(Blocks, _producer, _consumer, _arrays);

    [Benchmark(OperationsPerInvoke = Blocks)]
    public TimeSpan EbbMemory() => ProducerConsumer.Run<EbbAllocator>(Blocks, _producer, _consumer, _ring);
}
