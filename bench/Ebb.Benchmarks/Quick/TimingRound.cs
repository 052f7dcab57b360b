using System.Diagnostics;
using Ebb.Benchmarks.Workloads;

namespace Ebb.Benchmarks.Quick;

/// <summary>Names and units of the timed workloads, and one round of measuring them.</summary>
public static class TimingRound
{
    /// <summary>Workload key of the producer/consumer run.</summary>
    public const string ProducerConsumerKey = "producer/consumer";

    /// <summary>Workload key of the realloc growth.</summary>
    public const string ReallocKey = "realloc to 64 MiB";

    /// <summary>Blocks moved per producer/consumer call.</summary>
    private const int PcBlocks = 50_000;

    /// <summary>Most batches per call of the pair workload (6400 pairs).</summary>
    private const int MaxBatchesPerCall = 64;

    /// <summary>Workload key of the pair benchmark at <paramref name="size"/> bytes.</summary>
    public static string PairsKey(int size) => $"pairs {size} B";

    /// <summary>Every timed workload key, in table order.</summary>
    public static IEnumerable<string> Keys(bool pairs, bool pc, bool realloc)
    {
        if (pairs) foreach (int s in Pairs.Sizes) yield return PairsKey(s);
        if (pc) yield return ProducerConsumerKey;
        if (realloc) yield return ReallocKey;
    }

    /// <summary>The unit of a workload's figure.</summary>
    public static string Unit(string key) => key switch
    {
        ProducerConsumerKey => "ns/block",
        ReallocKey => "ms/growth",
        _ => "ns/pair",
    };

    /// <summary>
    /// Measures each selected workload once for <paramref name="contender"/>, each for at least
    /// <paramref name="ms"/> milliseconds (the producer/consumer and realloc runs twice that);
    /// <paramref name="settle"/>, when given, runs before each pair size (untimed).
    /// </summary>
    public static List<(string Key, double Value)> Measure(Contender contender, double ms, bool pairs, bool pc, bool realloc, Action<int>? settle = null)
    {
        var results = new List<(string, double)>();
        if (pairs)
        {
            foreach (int size in Pairs.Sizes)
            {
                settle?.Invoke(size);
                // Batches per call start at one and double while a call is short, so reading the
                // clock costs nothing measurable for a fast contender and a slow mode (guarded
                // pages, a few microseconds a block) still stops on time.
                long ops = 0;
                int batches = 1;
                long cpu0 = ThreadCpuNs();
                var sw = Stopwatch.StartNew();
                do
                {
                    long t0 = sw.ElapsedTicks;
                    ops += contender.Pairs((nuint)size, batches);
                    if (batches < MaxBatchesPerCall && sw.ElapsedTicks - t0 < Stopwatch.Frequency / 2000) batches *= 2;
                }
                while (sw.Elapsed.TotalMilliseconds < ms);
                results.Add((PairsKey(size), (ThreadCpuNs() - cpu0) / (double)ops));
            }
        }
        if (pc && contender.ProducerConsumer is { } producerConsumer)
        {
            long blocks = 0;
            double ns = 0;
            do
            {
                ns += producerConsumer(PcBlocks).TotalNanoseconds;
                blocks += PcBlocks;
            }
            while (ns < ms * 2e6);
            results.Add((ProducerConsumerKey, ns / blocks));
        }
        if (realloc && contender.Realloc is { } grow)
        {
            int runs = 0;
            var sw = Stopwatch.StartNew();
            do { grow(); runs++; }
            while (sw.Elapsed.TotalMilliseconds < ms * 2);
            results.Add((ReallocKey, sw.Elapsed.TotalMilliseconds / runs));
        }
        return results;
    }

    /// <summary>
    /// The calling thread's CPU time in ns (CLOCK_THREAD_CPUTIME_ID, kernel time included). The
    /// pair loop runs on one thread, so this is its time: on a shared 2-core machine wall time
    /// also counts the slices other processes took, which moved a contender by ±20% between
    /// rounds. Producer/consumer and realloc stay on wall time (two threads; page faults).
    /// </summary>
    public static long ThreadCpuNs() => Ebb.Os.OsMemory.ClockGettimeSyscall(ThreadCpuClock);

    private const int ThreadCpuClock = 3;

    /// <summary>
    /// Runs every workload a few times, briefly, with pauses: the JIT promotes the hot methods to
    /// optimised code (tier 1, in the background) only after enough calls and a quiet moment.
    /// </summary>
    public static void WarmUp(IEnumerable<Contender> contenders, bool pairs, bool pc, bool realloc)
    {
        var list = contenders.ToList();
        for (int i = 0; i < 3; i++)
        {
            // Realloc growth spends its time in copies and page faults, not in JIT-compiled code:
            // once is enough to load everything it touches. A slow contender (a guarded mode)
            // stops warming after a second per pass: its cost is not in the JIT either.
            foreach (var c in list)
            {
                var pass = Stopwatch.StartNew();
                for (int k = 0; k < 12 && pass.ElapsedMilliseconds < 1000; k++)
                    Measure(c, 0.2, pairs, pc && k < 3, realloc && k == 0 && i == 0);
            }
            Thread.Sleep(250);
        }
    }
}
