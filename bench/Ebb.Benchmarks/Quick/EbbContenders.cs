using Ebb.Benchmarks.Contenders;

namespace Ebb.Benchmarks.Quick;

/// <summary>Ebb's contenders: the process-wide <see cref="EbbMemory"/> and a first-class <see cref="EbbHeap"/>.</summary>
public static class EbbContenders
{
    /// <summary>EbbMemory and EbbHeap.</summary>
    public static IEnumerable<Contender> Create() =>
    [
        Contender.From<EbbAllocator>(ContenderList.Ebb, "EbbMemory"),
        Contender.From<EbbHeapAllocator>(ContenderList.EbbHeap, "EbbHeap"),
    ];
}
