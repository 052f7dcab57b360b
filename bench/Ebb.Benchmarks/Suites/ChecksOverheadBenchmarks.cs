using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Ebb.Benchmarks.Contenders;
using Ebb.Benchmarks.Workloads;

namespace Ebb.Benchmarks.Suites;

/// <summary>
/// The cost of the checks (issue 4): EbbMemory alloc+free pairs in batches of 100, small sizes,
/// with the process started in each mode (the mode is read once at start-up, so each is a job
/// of its own, an environment variable apart). The ratio column is against release mode.
/// Run with <c>--filter '*ChecksOverhead*'</c>.
/// </summary>
[Config(typeof(ModesConfig))]
public class ChecksOverheadBenchmarks
{
    /// <summary>One job per mode; few iterations, since the checked modes are slow by design.</summary>
    public sealed class ModesConfig : ManualConfig
    {
        public ModesConfig()
        {
            var job = Job.Default.WithWarmupCount(3).WithIterationCount(8).WithLaunchCount(1);
            AddJob(job.WithId("release").AsBaseline());
            AddJob(job.WithId("sample:1000").WithEnvironmentVariables(new EnvironmentVariable("EBB_GUARD", "sample:1000")));
            AddJob(job.WithId("checked").WithEnvironmentVariables(new EnvironmentVariable("EBB_CHECK", "1")));
            AddJob(job.WithId("checked-nostacks").WithEnvironmentVariables(
                new EnvironmentVariable("EBB_CHECK", "1"), new EnvironmentVariable("EBB_STACKS", "0")));
            AddJob(job.WithId("all").WithEnvironmentVariables(new EnvironmentVariable("EBB_GUARD", "all")));
        }
    }

    /// <summary>Block size in bytes.</summary>
    [Params(16, 256, 1024)]
    public int Size { get; set; }

    [Benchmark(OperationsPerInvoke = Pairs.BatchSize)]
    public long EbbMemoryPairs() => Pairs.Run<EbbAllocator>((nuint)Size, 1);
}
