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

    /// <summary>Batches per call of the pair workload: 2000 pairs, a few microseconds at least.</summary>
    private const int BatchesPerCall = 20;

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
    /// <paramref name="ms"/> milliseconds (the producer/consumer and realloc runs twice that).
    /// </summary>
    public static List<(string Key, double Value)> Measure(Contender contender, double ms, bool pairs, bool pc, bool realloc)
    {
        var results = new List<(string, double)>();
        if (pairs)
        {
            foreach (int size in Pairs.Sizes)
            {
                long ops = 0;
                var sw = Stopwatch.StartNew();
                do ops += contender.Pairs((nuint)size, BatchesPerCall);
                while (sw.Elapsed.TotalMilliseconds < ms);
                results.Add((PairsKey(size), sw.Elapsed.TotalNanoseconds / ops));
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
    /// Runs every workload a few times, briefly, with pauses: the JIT promotes the hot methods to
    /// optimised code (tier 1, in the background) only after enough calls and a quiet moment.
    /// </summary>
    public static void WarmUp(IEnumerable<Contender> contenders, bool pairs, bool pc, bool realloc)
    {
        var list = contenders.ToList();
        for (int i = 0; i < 3; i++)
        {
            // Realloc growth spends its time in copies and page faults, not in JIT-compiled code:
            // once is enough to load everything it touches.
            foreach (var c in list)
                for (int k = 0; k < 12; k++) Measure(c, 0.2, pairs, pc && k < 3, realloc && k == 0 && i == 0);
            Thread.Sleep(250);
        }
    }
}
