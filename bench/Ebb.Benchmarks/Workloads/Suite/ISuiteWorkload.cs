using Ebb.Benchmarks.Contenders;

namespace Ebb.Benchmarks.Workloads.Suite;

/// <summary>What one run of a suite workload reports.</summary>
/// <param name="Seconds">Wall time of the workload (not of the process).</param>
/// <param name="Figure">The workload's own figure (operations per second; see <see cref="ISuiteWorkload.Figure"/>).</param>
public readonly record struct SuiteResult(double Seconds, double Figure);

/// <summary>
/// One program of mimalloc-bench, ported: its name, what its figure counts, and a run against
/// any allocator. <paramref name="scale"/> in <see cref="Run{T}"/> multiplies the amount of
/// work (duration, operation count or load; see each workload) of the defaults, which are
/// mimalloc-bench's parameters scaled to a 2-core machine.
/// </summary>
public interface ISuiteWorkload
{
    /// <summary>Name on the command line and in the table.</summary>
    string Name { get; }

    /// <summary>What <see cref="SuiteResult.Figure"/> counts, e.g. "allocations/s".</summary>
    string Figure { get; }

    /// <summary>
    /// True when the run lasts a fixed time and the work done varies (larson, xmalloc-test,
    /// glibc-thread): compare figures, not times. False when the work is fixed: compare times.
    /// </summary>
    bool FixedDuration { get; }

    /// <summary>The parameters at <paramref name="scale"/>, in words, for the report.</summary>
    string Parameters(double scale);

    /// <summary>Runs the workload against <typeparamref name="T"/>; throws <see cref="BlockTagException"/> on a damaged block.</summary>
    SuiteResult Run<T>(double scale) where T : struct, INativeAllocator;
}
