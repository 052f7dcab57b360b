using Ebb.Benchmarks.Contenders;
using Ebb.Benchmarks.Workloads;

namespace Ebb.Benchmarks.Quick;

/// <summary>Every contender the quick runner knows, in the order the tables list them.</summary>
public static class ContenderList
{
    /// <summary>Key of NativeMemory (whatever malloc the process has).</summary>
    public const string NativeMemory = "nativememory";

    /// <summary>Key of mimalloc called by P/Invoke.</summary>
    public const string Mimalloc = "mimalloc";

    /// <summary>Key of EbbMemory.</summary>
    public const string Ebb = "ebb";

    /// <summary>Key of EbbHeap.</summary>
    public const string EbbHeap = "ebbheap";

    /// <summary>All contenders available in this process.</summary>
    public static IReadOnlyList<Contender> All { get; } = Build();

    /// <summary>The contender with <paramref name="key"/>; throws with the known keys otherwise.</summary>
    public static Contender Get(string key) =>
        All.FirstOrDefault(c => c.Key == key)
        ?? throw new ArgumentException($"unknown contender '{key}' (known: {string.Join(", ", All.Select(c => c.Key))})");

    private static List<Contender> Build()
    {
        var list = new List<Contender>
        {
            Contender.From<NativeMemoryAllocator>(NativeMemory, "NativeMemory (glibc)"),
        };
        if (MimallocAllocator.Available)
            list.Add(Contender.From<MimallocAllocator>(Mimalloc, "mimalloc P/Invoke"));
        var slots = new byte[Pairs.BatchSize][];
        list.Add(new Contender("arraypool", "ArrayPool.Shared",
            (size, batches) => Pairs.RunArrayPool((int)size, batches, slots),
            count => ProducerConsumer.RunArrayPool(count, Contender.Rig.Producer, Contender.Rig.Consumer, Contender.Rig.ArrayRing),
            ReallocGrowth.RunArrayPool,
            null, null));
        list.AddRange(EbbContenders.Create());
        list.Add(new Contender("floor", "free-list floor",
            (size, batches) => Pairs.Run<FreeListFloor>(size, batches),
            null, null, null, null));
        list.Add(new Contender("stackfloor", "stack floor",
            (size, batches) => Pairs.Run<StackFloor>(size, batches),
            null, null, null, null));
        return list;
    }
}
