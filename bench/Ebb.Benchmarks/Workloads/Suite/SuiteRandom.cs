namespace Ebb.Benchmarks.Workloads.Suite;

/// <summary>
/// The suite's random numbers: a SplitMix64 sequence (a counter through a 64-bit mixer). A
/// struct, one word of state, no allocation and no lock, so that what a workload's loop costs
/// is the allocator and the memory traffic, not the generator; seeded, so that every contender
/// gets the same sequence of sizes and slots.
/// </summary>
public struct SuiteRandom(ulong seed)
{
    private ulong _state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A number in [0, <paramref name="n"/>) (multiply-shift, no division).</summary>
    public int Below(int n) => (int)(((Next() >> 32) * (ulong)(uint)n) >> 32);

    /// <summary>
    /// True with about <paramref name="percent"/> percent: the ported programs test
    /// <c>random % 100 &lt;= percent</c>, so "1" is 2 in 100; kept, so that the size mix is theirs.
    /// </summary>
    public bool Chance(int percent) => Below(100) <= percent;

    /// <summary>A number in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));
}
