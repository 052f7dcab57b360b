using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Ebb.Benchmarks.Workloads;

namespace Ebb.Benchmarks.Quick;

/// <summary>
/// Renders a quick run as markdown: the time table, Ebb's speed-ups, issue 3's targets with a
/// verdict, the RSS scenarios and issue 4's overhead rows. A pure function of the results.
/// </summary>
public static class QuickReport
{
    private const string EbbRow = "EbbMemory";
    private const string EbbHeapRow = "EbbHeap";
    private const string MimallocRow = "mimalloc P/Invoke";
    private const string MimallocPreloadRow = "NativeMemory + mimalloc (LD_PRELOAD)";
    private const double MiB = 1 << 20;

    /// <summary>The report.</summary>
    public static string Render(QuickRunner.Results r)
    {
        var sb = new StringBuilder();
        var o = r.Options;
        sb.AppendLine($"Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} CPUs, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}; " +
                      $"{o.Rounds} rounds, measurements of at least {o.Ms.ToString(CultureInfo.InvariantCulture)} ms, {r.Elapsed.TotalSeconds:0} s in all.");
        sb.AppendLine();
        Timing(sb, r);
        Speedups(sb, r);
        Targets(sb, r);
        BreakHeap(sb, r);
        Mixed(sb, r);
        Overhead(sb, r);
        if (r.Notes.Count > 0)
        {
            sb.AppendLine("Notes:");
            foreach (var n in r.Notes) sb.AppendLine($"- {n}");
            sb.AppendLine();
        }
        return sb.ToString();
    }

    private static IEnumerable<string> TimedKeys(QuickOptions o) =>
        TimingRound.Keys(o.Workloads.Contains("pairs"), o.Workloads.Contains("pc"), o.Workloads.Contains("realloc"));

    private static void Timing(StringBuilder sb, QuickRunner.Results r)
    {
        var keys = TimedKeys(r.Options).ToList();
        if (keys.Count == 0 || r.Timing.Rows.Count == 0) return;
        sb.AppendLine($"### Time (median of {r.Options.Rounds} rounds; lower is better)");
        sb.AppendLine();
        sb.AppendLine("| contender | " + string.Join(" | ", keys.Select(k => $"{k} ({TimingRound.Unit(k)})")) + " |");
        sb.AppendLine("|---|" + string.Concat(keys.Select(_ => "---:|")));
        foreach (var row in r.Timing.Rows)
            sb.AppendLine($"| {row} | " + string.Join(" | ", keys.Select(k => Format(r.Timing.Median(row, k), k))) + " |");
        sb.AppendLine();
        sb.AppendLine("Pairs are timed by the measuring thread's CPU time (CLOCK_THREAD_CPUTIME_ID), producer/consumer and realloc by wall time. " +
                      "Rows marked (child) or (LD_PRELOAD) ran in a child process, one per round, in the same interleaving; " +
                      "compare a preloaded allocator with `NativeMemory (glibc, child)`, the same code in the same kind of process.");
        sb.AppendLine();
    }

    private static void Speedups(StringBuilder sb, QuickRunner.Results r)
    {
        var keys = TimedKeys(r.Options).ToList();
        string[] fast = [EbbRow, EbbHeapRow];
        if (keys.Count == 0 || !fast.Any(r.Timing.Has)) return;
        var against = new[] { QuickRunner.NativeRow, MimallocRow, MimallocPreloadRow, "ArrayPool.Shared" }.Where(r.Timing.Has).ToList();
        sb.AppendLine("### Ebb's speed-up (per-round ratio of times, median over rounds; higher is better)");
        sb.AppendLine();
        sb.AppendLine("| workload | " + string.Join(" | ", fast.Where(r.Timing.Has).SelectMany(f => against.Select(a => $"{f} vs {a}"))) + " |");
        sb.AppendLine("|---|" + string.Concat(fast.Where(r.Timing.Has).SelectMany(f => against.Select(_ => "---:|"))));
        foreach (var k in keys)
            sb.AppendLine($"| {k} | " + string.Join(" | ", fast.Where(r.Timing.Has).SelectMany(f => against.Select(a => Times(r.Timing.Speedup(a, f, k))))) + " |");
        sb.AppendLine();
    }

    private static void Targets(StringBuilder sb, QuickRunner.Results r)
    {
        var rows = new List<(string Target, string Measured, bool? Met)>();
        var t = r.Timing;
        if (t.Has(EbbRow))
        {
            foreach (int size in Pairs.Sizes.Where(s => s <= 1024))
            {
                string k = TimingRound.PairsKey(size);
                var vsNative = t.Speedup(QuickRunner.NativeRow, EbbRow, k);
                var vsMi = t.Speedup(MimallocRow, EbbRow, k);
                rows.Add(($"{k}: ≥6x faster than NativeMemory", Times(vsNative), AtLeast(vsNative, 6)));
                rows.Add(($"{k}: ≥2x faster than mimalloc P/Invoke", Times(vsMi), AtLeast(vsMi, 2)));
            }
            var big = t.Speedup(MimallocRow, EbbRow, TimingRound.PairsKey(8192));
            rows.Add(("pairs 8192 B: ≥1.5x faster than mimalloc P/Invoke", Times(big), AtLeast(big, 1.5)));
            var pc = t.Speedup(MimallocRow, EbbRow, TimingRound.ProducerConsumerKey);
            rows.Add(("producer/consumer: ≥1.25x faster than mimalloc P/Invoke", Times(pc), AtLeast(pc, 1.25)));
        }
        if (r.BreakHeap.TryGetValue(EbbRow, out var bh))
        {
            rows.Add(("break-heap: ≤80 MiB above start after 3 s, no call", Mib(bh.GetValueOrDefault("after 3 s", double.NaN)), bh.GetValueOrDefault("after 3 s", double.NaN) <= 80 * MiB));
            rows.Add(("break-heap: ≤72 MiB above start after Trim()", Mib(bh.GetValueOrDefault("after trim", double.NaN)), bh.GetValueOrDefault("after trim", double.NaN) <= 72 * MiB));
        }
        if (r.Mixed.TryGetValue(EbbRow, out var mx) && r.Mixed.TryGetValue(MimallocRow, out var mi))
        {
            double ratio = mx["peak rss"] / mi["peak rss"];
            rows.Add(("mixed peak RSS ≤1.1x mimalloc's (P/Invoke)", $"{ratio:0.00}x", ratio <= 1.1));
        }
        if (r.Overhead.Has("EbbMemory release (child)"))
        {
            foreach (var (mode, limit) in new[] { ("EBB_CHECK=1", 4.0), ("EBB_GUARD=sample:1000", 1.05) })
            {
                if (!r.Overhead.Has(mode)) continue;
                var ratio = SmallPairsSlowdown(r.Overhead, mode);
                rows.Add(($"{mode}: ≤{limit}x release on small pairs (16–1024 B)", ratio is { } x ? $"{x:0.00}x" : "n/a", ratio is { } y ? y <= limit : null));
            }
        }
        if (rows.Count == 0) return;
        sb.AppendLine("### Targets (issues 3 and 4)");
        sb.AppendLine();
        sb.AppendLine("| target | measured | verdict |");
        sb.AppendLine("|---|---:|---|");
        foreach (var (target, measured, met) in rows)
            sb.AppendLine($"| {target} | {measured} | {(met is null ? "n/a" : met.Value ? "met" : "**missed**")} |");
        sb.AppendLine();
    }

    private static void BreakHeap(StringBuilder sb, QuickRunner.Results r)
    {
        if (r.BreakHeap.Count == 0) return;
        sb.AppendLine("### Break-heap scenario (RssAnon above the start, MiB; one child process each)");
        sb.AppendLine();
        sb.AppendLine($"{Workloads.BreakHeap.FreedBytes / MiB:0} MiB of 32–256-byte blocks freed under {Workloads.BreakHeap.LiveBytes / MiB:0} MiB of live ones allocated after them.");
        sb.AppendLine();
        sb.AppendLine("| contender | peak | right after the frees | after 3 s, no call | after trim | trim call |");
        sb.AppendLine("|---|---:|---:|---:|---:|---|");
        foreach (var (row, f) in r.BreakHeap)
            sb.AppendLine($"| {row} | {Mib(f.GetValueOrDefault("peak", double.NaN))} | {Mib(f.GetValueOrDefault("after free", double.NaN))} | " +
                          $"{Mib(f.GetValueOrDefault("after 3 s", double.NaN))} | {Mib(f.GetValueOrDefault("after trim", double.NaN))} | {TrimCall(row)} |");
        sb.AppendLine();
    }

    private static void Mixed(StringBuilder sb, QuickRunner.Results r)
    {
        if (r.Mixed.Count == 0) return;
        r.Mixed.TryGetValue(MimallocRow, out var mi);
        sb.AppendLine("### Mixed workload (peak RSS above the start, MiB; one child process each)");
        sb.AppendLine();
        sb.AppendLine("| contender | peak RSS | peak bytes asked for | × mimalloc P/Invoke's peak | time (s) |");
        sb.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var (row, f) in r.Mixed)
        {
            double peak = f.GetValueOrDefault("peak rss", double.NaN);
            string ratio = mi is null ? "n/a" : $"{peak / mi["peak rss"]:0.00}x";
            sb.AppendLine($"| {row} | {Mib(peak)} | {Mib(f.GetValueOrDefault("peak requested", double.NaN))} | {ratio} | {f.GetValueOrDefault("seconds", double.NaN):0.00} |");
        }
        sb.AppendLine();
    }

    private static void Overhead(StringBuilder sb, QuickRunner.Results r)
    {
        const string release = "EbbMemory release (child)";
        if (!r.Overhead.Has(release)) return;
        var keys = Pairs.Sizes.Select(TimingRound.PairsKey).ToList();
        sb.AppendLine("### Checked and guarded modes on the pair benchmark (ns/pair of thread CPU time, median; each mode its own child process per round)");
        sb.AppendLine();
        sb.AppendLine("| mode | " + string.Join(" | ", keys) + " | × release, 16–1024 B |");
        sb.AppendLine("|---|" + string.Concat(keys.Select(_ => "---:|")) + "---:|");
        foreach (var row in r.Overhead.Rows)
        {
            var slow = row == release ? 1.0 : SmallPairsSlowdown(r.Overhead, row);
            sb.AppendLine($"| {row} | " + string.Join(" | ", keys.Select(k => Format(r.Overhead.Median(row, k), k))) + $" | {(slow is { } x ? $"{x:0.00}x" : "n/a")} |");
        }
        sb.AppendLine();
        // Sampled mode: how many blocks were really guarded (the guard thread's budget bounds it).
        foreach (var row in r.Overhead.Rows)
        {
            if (r.Overhead.Median(row, ChildCommand.GuardedKey) is not { } guarded) continue;
            double missed = r.Overhead.Median(row, ChildCommand.NotGuardedKey) ?? double.NaN;
            double cpu = r.Overhead.Median(row, ChildCommand.GuardCpuKey) ?? double.NaN;
            sb.AppendLine($"- {row}: {guarded:0} allocations guarded, {missed:0} chosen by the countdown but with no slot ready; guard thread {cpu:0} ms of CPU (median per child, whole life)");
        }
        sb.AppendLine();
    }

    /// <summary>The geometric mean over 16–1024 B of the per-round slowdown of <paramref name="row"/> against release.</summary>
    private static double? SmallPairsSlowdown(Samples s, string row)
    {
        var ratios = Pairs.Sizes.Where(x => x <= 1024)
            .Select(x => s.Speedup(row, "EbbMemory release (child)", TimingRound.PairsKey(x)))
            .ToList();
        if (ratios.Any(x => x is null)) return null;
        return Math.Exp(ratios.Average(x => Math.Log(x!.Value)));
    }

    private static string TrimCall(string row) => row switch
    {
        _ when row.StartsWith("Ebb", StringComparison.Ordinal) => "EbbMemory.Trim()",
        MimallocRow => "mi_collect(true)",
        _ when row.Contains("mimalloc", StringComparison.Ordinal) => "mi_collect(true)",
        _ when row.Contains("jemalloc", StringComparison.Ordinal) => "mallctl arena.4096.purge",
        _ when row.Contains("tcmalloc", StringComparison.Ordinal) => "MallocExtension_ReleaseFreeMemory()",
        _ => "malloc_trim(0)",
    };

    private static string Format(double? v, string key) =>
        v is not { } x ? "–" : key == TimingRound.ReallocKey ? x.ToString("0.00", CultureInfo.InvariantCulture) : x.ToString(x < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture);

    /// <summary>Met, missed, or not measured (null: a contender missing from the run is not a miss).</summary>
    private static bool? AtLeast(double? v, double target) => v is { } x ? x >= target : null;

    private static string Times(double? v) => v is { } x ? $"{x:0.00}x" : "n/a";

    private static string Mib(double bytes) => double.IsNaN(bytes) ? "–" : (bytes / MiB).ToString("0.0", CultureInfo.InvariantCulture);
}
