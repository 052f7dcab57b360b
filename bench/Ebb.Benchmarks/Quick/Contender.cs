using Ebb.Benchmarks.Contenders;
using Ebb.Benchmarks.Workloads;

namespace Ebb.Benchmarks.Quick;

/// <summary>
/// One contender as the quick runner drives it: a key for the command line, a name for the table,
/// and the workloads it can run (null where it cannot: the floor has no remote free, no realloc
/// and never gives memory back; ArrayPool's memory is the GC's, so it is left out of the RSS runs).
/// </summary>
public sealed record Contender(
    string Key,
    string Name,
    Func<nuint, int, long> Pairs,
    Func<int, TimeSpan>? ProducerConsumer,
    Action? Realloc,
    Func<BreakHeap.Result>? BreakHeap,
    Func<MixedWorkload.Result>? Mixed)
{
    /// <summary>A contender with every workload, from an <see cref="INativeAllocator"/>.</summary>
    public static Contender From<T>(string key, string name) where T : struct, INativeAllocator =>
        new(key, name,
            (size, batches) => Workloads.Pairs.Run<T>(size, batches),
            count => Workloads.ProducerConsumer.Run<T>(count, Rig.Producer, Rig.Consumer, Rig.NativeRing),
            Workloads.ReallocGrowth.Run<T>,
            Workloads.BreakHeap.Run<T>,
            Workloads.MixedWorkload.Run<T>);

    /// <summary>The two long-lived threads (on two different CPUs when there are two) and the rings of the producer/consumer workload.</summary>
    public static class Rig
    {
        private static Worker? s_producer, s_consumer;

        /// <summary>The allocating thread.</summary>
        public static Worker Producer => s_producer ??= new Worker("producer", CpuAffinity.Pick(0, needed: 2));

        /// <summary>The freeing thread.</summary>
        public static Worker Consumer => s_consumer ??= new Worker("consumer", CpuAffinity.Pick(1, needed: 2));

        /// <summary>The ring for native blocks.</summary>
        public static SpscRing<nint> NativeRing { get; } = new(1024);

        /// <summary>The ring for pooled arrays.</summary>
        public static SpscRing<byte[]> ArrayRing { get; } = new(1024);
    }
}
