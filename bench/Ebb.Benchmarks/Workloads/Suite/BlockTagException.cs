namespace Ebb.Benchmarks.Workloads.Suite;

/// <summary>
/// A block's tag did not survive from its allocation to its free: the allocator handed out
/// memory that someone else wrote (an overlap, a block given twice, a free list through live
/// memory). An <see cref="InvalidOperationException"/>, so the benchmark's entry point reports
/// it in one line with a non-zero exit.
/// </summary>
public sealed class BlockTagException(string message) : InvalidOperationException(message);
