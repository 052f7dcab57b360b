namespace Ebb.Benchmarks.Quick;

/// <summary>
/// The child side of the quick runner (<c>child time|break|mixed --contender KEY …</c>): runs one
/// contender in this fresh process and prints <c>RESULT</c> lines. Not meant to be typed by hand,
/// but harmless when it is.
/// </summary>
public static class ChildCommand
{
    /// <summary>Result key (sampled mode): allocations placed in a guarded slot during the child's life.</summary>
    public const string GuardedKey = "guarded blocks";

    /// <summary>Result key (sampled mode): allocations the countdown chose that found no slot ready.</summary>
    public const string NotGuardedKey = "chosen, no slot ready";

    /// <summary>Result key (sampled mode): the guard thread's CPU time, ms.</summary>
    public const string GuardCpuKey = "guard thread CPU ms";

    /// <summary>
    /// In sampled mode (<c>EBB_GUARD=sample:N</c>), prints how many of the allocations the countdown
    /// chose found a ready slot, and what the guard thread spent, over the child's whole life.
    /// </summary>
    public static void EmitSampling(TextWriter stdout, TextWriter stderr)
    {
        if (Ebb.Checks.Checker.s_sampled is not { } pool) return;
        var (passes, busyMs, closed, calls) = pool.GuardThreadWork;
        ChildProcess.Emit(stdout, GuardedKey, pool.Taken);
        ChildProcess.Emit(stdout, NotGuardedKey, pool.Missed);
        ChildProcess.Emit(stdout, GuardCpuKey, busyMs);
        stderr.WriteLine($"child: EBB_GUARD=sample: {pool.Taken} allocations guarded, {pool.Missed} chosen but not guarded (no slot ready); " +
            $"guard thread: {passes} passes, {busyMs:0} ms of CPU, {closed} slots closed in {calls} mprotect calls");
    }

    /// <summary>Runs the child command; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0) { stderr.WriteLine("child: expected time, break or mixed"); return 2; }
        string key = Option(args, "--contender") ?? ContenderList.NativeMemory;
        double ms = double.Parse(Option(args, "--ms") ?? "25", System.Globalization.CultureInfo.InvariantCulture);
        var workloads = (Option(args, "--workloads") ?? "pairs,pc,realloc").Split(',');
        var contender = ContenderList.Get(key);
        switch (args[0])
        {
            case "time":
            {
                bool pairs = workloads.Contains("pairs"), pc = workloads.Contains("pc"), realloc = workloads.Contains("realloc");
                TimingRound.WarmUp([contender], pairs, pc, realloc);
                // Checked mode holds freed blocks back (EBB_QUARANTINE_MB, 16 MiB): before each
                // size, free that much of it twice, with pauses, so its figure is checked mode's
                // steady state, not the turnover from the size before (the old blocks' eviction
                // and 16 MiB of pages touched for the first time: page faults, a one-time cost
                // per size class), and its code is the JIT's optimised code (the short warm-up
                // above leaves much of the checked path in tier 0: the first stack sightings
                // compile a lot, which holds promotion back).
                Action<int>? settle = pairs && Ebb.Checks.Checker.s_mode == Ebb.Checks.CheckMode.Checked
                    ? size =>
                    {
                        int batches = (int)(Ebb.Checks.Checker.s_options.QuarantineBytes / ((size + 128) * Workloads.Pairs.BatchSize)) + 1;
                        // The last pass right before the measurement: the purge thread may have given
                        // emptied pages back during a pause.
                        for (int pass = 0; pass < 3; pass++)
                        {
                            if (pass > 0) Thread.Sleep(250);
                            contender.Pairs((nuint)size, batches);
                        }
                    }
                    : null;
                foreach (var (k, v) in TimingRound.Measure(contender, ms, pairs, pc, realloc, settle))
                    ChildProcess.Emit(stdout, k, v);
                EmitSampling(stdout, stderr);
                return 0;
            }
            case "break":
            {
                var r = (contender.BreakHeap ?? throw new ArgumentException($"{key} has no break-heap run"))();
                ChildProcess.Emit(stdout, "peak", r.Peak);
                ChildProcess.Emit(stdout, "after free", r.AfterFree);
                ChildProcess.Emit(stdout, "after 3 s", r.After3s);
                ChildProcess.Emit(stdout, "after trim", r.AfterTrim);
                ChildProcess.Emit(stdout, "seconds", r.Seconds);
                return 0;
            }
            case "mixed":
            {
                var r = (contender.Mixed ?? throw new ArgumentException($"{key} has no mixed run"))();
                ChildProcess.Emit(stdout, "peak rss", r.PeakRss);
                ChildProcess.Emit(stdout, "peak requested", r.PeakRequested);
                ChildProcess.Emit(stdout, "seconds", r.Seconds);
                return 0;
            }
            default:
                stderr.WriteLine($"child: unknown mode '{args[0]}'");
                return 2;
        }
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
