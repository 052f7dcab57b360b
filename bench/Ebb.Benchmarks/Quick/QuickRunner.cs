using System.Diagnostics;

namespace Ebb.Benchmarks.Quick;

/// <summary>
/// The quick side-by-side runner: every contender in one run, interleaved over several rounds
/// (the order rotating each round), so slow drifts of a shared, noisy machine fall on all of them
/// alike. In-process contenders are timed here; preloaded allocators and Ebb's start-up options
/// run in child processes once per round, in the same interleaving. RSS scenarios run each
/// contender once, in its own child.
/// </summary>
public static class QuickRunner
{
    /// <summary>The results of a quick run, ready to render.</summary>
    public sealed class Results
    {
        /// <summary>Timed workloads, per row and round.</summary>
        public Samples Timing { get; } = new();

        /// <summary>Checked/guarded overhead on the pair benchmark (Ebb in child processes), per row and round.</summary>
        public Samples Overhead { get; } = new();

        /// <summary>Break-heap figures per row.</summary>
        public Dictionary<string, Dictionary<string, double>> BreakHeap { get; } = new();

        /// <summary>Mixed-workload figures per row.</summary>
        public Dictionary<string, Dictionary<string, double>> Mixed { get; } = new();

        /// <summary>What was skipped or failed, one line each.</summary>
        public List<string> Notes { get; } = new();

        /// <summary>The options of the run.</summary>
        public required QuickOptions Options { get; init; }

        /// <summary>Wall time of the run.</summary>
        public TimeSpan Elapsed { get; set; }
    }

    /// <summary>Label of the parent's NativeMemory row (glibc malloc, in this process).</summary>
    public static string NativeRow => ContenderList.Get(ContenderList.NativeMemory).Name;

    /// <summary>Runs everything <paramref name="options"/> selects; progress goes to <paramref name="log"/>.</summary>
    public static Results Run(QuickOptions options, TextWriter log)
    {
        var results = new Results { Options = options };
        var clock = Stopwatch.StartNew();
        var w = options.Workloads;
        bool pairs = w.Contains("pairs"), pc = w.Contains("pc"), realloc = w.Contains("realloc");
        bool timing = pairs || pc || realloc;
        if (!MimallocAllocator_Available()) results.Notes.Add("mimalloc P/Invoke: libmimalloc.so.2 not loadable (apt-get install libmimalloc2.0); row left out");

        var parent = ContenderList.All;
        var timingChildren = new List<ChildConfig> { ChildConfig.Plain("NativeMemory (glibc, child)", ContenderList.NativeMemory) };
        timingChildren.AddRange(ChildConfig.Preloads());
        timingChildren = Usable(timingChildren, results.Notes);

        var overheadChildren = Usable(OverheadConfigs(everyMode: w.Contains("overhead")), results.Notes);
        bool overhead = (w.Contains("overhead") || w.Contains("sampled")) && overheadChildren.Count > 0;

        if (timing)
        {
            log.WriteLine($"quick: warming up {parent.Count} in-process contenders");
            TimingRound.WarmUp(parent, pairs, pc, realloc);
        }
        for (int round = 0; round < options.Rounds && (timing || overhead); round++)
        {
            log.WriteLine($"quick: round {round + 1}/{options.Rounds}");
            if (timing)
            {
                // Rotate the order so no contender always runs first (or right after a child's start-up).
                for (int i = 0; i < parent.Count; i++)
                {
                    var c = parent[(i + round) % parent.Count];
                    foreach (var (key, value) in TimingRound.Measure(c, options.Ms, pairs, pc, realloc))
                        results.Timing.Add(c.Name, key, round, value);
                }
                string only = string.Join(',', new[] { pairs ? "pairs" : null, pc ? "pc" : null, realloc ? "realloc" : null }.OfType<string>());
                foreach (var child in timingChildren)
                    RunTimingChild(child, only, options, round, results.Timing, results.Notes, log);
            }
            if (overhead)
                foreach (var child in overheadChildren)
                    RunTimingChild(child, "pairs", options, round, results.Overhead, results.Notes, log);
        }

        var rssChildren = new List<ChildConfig> { ChildConfig.Plain(NativeRow, ContenderList.NativeMemory) };
        rssChildren.AddRange(ChildConfig.Preloads());
        if (MimallocAllocator_Available()) rssChildren.Add(ChildConfig.Plain("mimalloc P/Invoke", ContenderList.Mimalloc));
        rssChildren.AddRange(EbbRssConfigs());
        rssChildren = Usable(rssChildren, results.Notes);
        if (w.Contains("break"))
            foreach (var child in rssChildren)
                RunRssChild(child, "break", results.BreakHeap, results.Notes, log);
        if (w.Contains("mixed"))
            foreach (var child in rssChildren)
                RunRssChild(child, "mixed", results.Mixed, results.Notes, log);
        results.Elapsed = clock.Elapsed;
        return results;
    }

    private static bool MimallocAllocator_Available() => Contenders.MimallocAllocator.Available;

    /// <summary>Ebb's rows of the RSS scenarios: the default mmap page source and the brk source.</summary>
    private static IEnumerable<ChildConfig> EbbRssConfigs()
    {
        if (!ContenderList.All.Any(c => c.Key == ContenderList.Ebb)) yield break;
        yield return ChildConfig.Plain("EbbMemory", ContenderList.Ebb);
        yield return ChildConfig.Plain("EbbMemory (EBB_PAGE_SOURCE=brk)", ContenderList.Ebb, ("EBB_PAGE_SOURCE", "brk"));
    }

    /// <summary>
    /// Issue 4's overhead rows: Ebb's pair benchmark under each mode, each in its own child;
    /// without <paramref name="everyMode"/> (<c>--only sampled</c>) release and the sampled rows
    /// only (a child for checked mode or EBB_GUARD=all takes many times longer).
    /// </summary>
    private static IEnumerable<ChildConfig> OverheadConfigs(bool everyMode)
    {
        if (!ContenderList.All.Any(c => c.Key == ContenderList.Ebb)) yield break;
        yield return ChildConfig.Plain("EbbMemory release (child)", ContenderList.Ebb);
        if (everyMode)
        {
            yield return ChildConfig.Plain("EBB_CHECK=1", ContenderList.Ebb, ("EBB_CHECK", "1"));
            // Informative: how much of checked mode's cost is the stack captured at every alloc and free.
            yield return ChildConfig.Plain("EBB_CHECK=1 EBB_STACKS=0", ContenderList.Ebb, ("EBB_CHECK", "1"), ("EBB_STACKS", "0"));
        }
        yield return ChildConfig.Plain("EBB_GUARD=sample:1000", ContenderList.Ebb, ("EBB_GUARD", "sample:1000"));
        // Informative: sampled mode without stack captures, and the countdown alone (N so large
        // that no allocation is ever chosen: what every allocation pays).
        yield return ChildConfig.Plain("EBB_GUARD=sample:1000 EBB_STACKS=0", ContenderList.Ebb, ("EBB_GUARD", "sample:1000"), ("EBB_STACKS", "0"));
        yield return ChildConfig.Plain("EBB_GUARD=sample:2147483647 (countdown only)", ContenderList.Ebb, ("EBB_GUARD", "sample:2147483647"));
        if (everyMode) yield return ChildConfig.Plain("EBB_GUARD=all", ContenderList.Ebb, ("EBB_GUARD", "all"));
    }

    private static List<ChildConfig> Usable(IEnumerable<ChildConfig> configs, List<string> notes)
    {
        var usable = new List<ChildConfig>();
        foreach (var c in configs)
        {
            if (c.Unavailable is null) usable.Add(c);
            else if (!notes.Contains($"{c.Label}: {c.Unavailable}")) notes.Add($"{c.Label}: {c.Unavailable}");
        }
        return usable;
    }

    private static void RunTimingChild(ChildConfig child, string workloads, QuickOptions options, int round, Samples into, List<string> notes, TextWriter log)
    {
        try
        {
            var args = new[] { "child", "time", "--contender", child.ContenderKey, "--workloads", workloads, "--ms", options.Ms.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            foreach (var (key, value) in ChildProcess.Run(args, child.Environment, TimeSpan.FromMinutes(5)))
                into.Add(child.Label, key, round, value);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            string note = $"{child.Label}: {e.Message}";
            if (!notes.Contains(note)) notes.Add(note);
            log.WriteLine($"quick: {note}");
        }
    }

    private static void RunRssChild(ChildConfig child, string mode, Dictionary<string, Dictionary<string, double>> into, List<string> notes, TextWriter log)
    {
        log.WriteLine($"quick: {mode}: {child.Label}");
        try
        {
            var figures = ChildProcess.Run(["child", mode, "--contender", child.ContenderKey], child.Environment, TimeSpan.FromMinutes(5));
            into[child.Label] = figures.ToDictionary(f => f.Key, f => f.Value);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            notes.Add($"{mode} {child.Label}: {e.Message}");
            log.WriteLine($"quick: {mode} {child.Label}: {e.Message}");
        }
    }
}
