namespace Ebb.Benchmarks.Workloads.Suite;

/// <summary>The suite's workloads, in the order the report lists them.</summary>
public static class SuiteWorkloads
{
    /// <summary>Every workload; mstress-200 is the long run of mstress for the RSS-growth check.</summary>
    public static IReadOnlyList<ISuiteWorkload> All { get; } =
    [
        new Larson(),
        new XmallocTest(),
        new MStress(25),
        new MStress(200),
        new RpTest(),
        new AllocTest(1),
        new AllocTest(2),
        new CacheScratch(1),
        new CacheScratch(2),
        new CacheThrash(1),
        new CacheThrash(2),
        new GlibcSimple(),
        new GlibcThread(),
    ];

    /// <summary>The workload named <paramref name="name"/>; throws with the known names otherwise.</summary>
    public static ISuiteWorkload Get(string name) =>
        All.FirstOrDefault(w => w.Name == name)
        ?? throw new ArgumentException($"unknown workload '{name}' (known: {string.Join(",", All.Select(w => w.Name))})");
}
