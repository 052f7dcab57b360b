namespace Ebb.Benchmarks.Quick;

/// <summary>Ebb's contenders (filled in once the allocator's API is on main).</summary>
public static class EbbContenders
{
    /// <summary>EbbMemory and EbbHeap.</summary>
    public static IEnumerable<Contender> Create() => [];
}
