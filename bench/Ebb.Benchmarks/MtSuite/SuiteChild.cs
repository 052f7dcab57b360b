using System.Globalization;
using Ebb.Benchmarks.Quick;
using Ebb.Benchmarks.Workloads;
using Ebb.Benchmarks.Workloads.Suite;

namespace Ebb.Benchmarks.MtSuite;

/// <summary>
/// The child side of the suite (<c>suite-child WORKLOAD --allocator KEY [--scale F] [--jit-events]</c>): runs
/// one workload once in this fresh process and prints <c>RESULT</c> lines: the workload's wall
/// seconds, its own figure, and the process's peak RSS (VmHWM from /proc/self/status, read at
/// the end, so it is the whole run's peak, the runtime's own memory included); with
/// <c>--jit-events</c>, also what the JIT compiled during the run (<see cref="JitEvents"/>). A damaged block
/// ends it with a one-line error and exit 1 (through <see cref="Program"/>).
/// </summary>
public static class SuiteChild
{
    /// <summary>Result key: the workload's wall time, seconds.</summary>
    public const string SecondsKey = "seconds";

    /// <summary>Result key: the workload's figure.</summary>
    public const string FigureKey = "figure";

    /// <summary>Result key: the CPU time (user and system, all threads) the workload took, seconds: steadier than wall time on a shared machine.</summary>
    public const string CpuSecondsKey = "cpu seconds";

    /// <summary>Result key (<c>--jit-events</c>): compilations of methods of the Ebb library during the run (tier-ups count again).</summary>
    public const string EbbJitMethodsKey = "ebb methods jitted";

    /// <summary>Result key (<c>--jit-events</c>): milliseconds the JIT spent on them.</summary>
    public const string EbbJitMsKey = "ebb jit ms";

    /// <summary>Result key (<c>--jit-events</c>): every compilation the JIT made during the run.</summary>
    public const string AllJitMethodsKey = "all methods jitted";

    /// <summary>Result key (<c>--jit-events</c>): milliseconds the JIT spent on every method.</summary>
    public const string AllJitMsKey = "all jit ms";

    /// <summary>Result key: VmHWM at the end, bytes.</summary>
    public const string PeakRssKey = "peak rss";

    /// <summary>Runs the child command; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            stderr.WriteLine("suite-child: expected a workload name");
            return 2;
        }
        var workload = SuiteWorkloads.Get(args[0]);
        string key = Option(args, "--allocator") ?? throw new ArgumentException("suite-child: --allocator KEY is required");
        string scaleText = Option(args, "--scale") ?? "1";
        if (!double.TryParse(scaleText, NumberStyles.Float, CultureInfo.InvariantCulture, out double scale) || scale <= 0)
            throw new ArgumentException("--scale wants a positive number");
        using var jit = args.Contains("--jit-events") ? new JitEvents() : null;
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var result = SuiteContender.RunHere(key, workload, scale);
        double cpu = (Environment.CpuUsage.TotalTime - cpuBefore).TotalSeconds;
        if (jit is not null)
        {
            ChildProcess.Emit(stdout, EbbJitMethodsKey, jit.EbbMethods);
            ChildProcess.Emit(stdout, EbbJitMsKey, jit.EbbMilliseconds);
            ChildProcess.Emit(stdout, AllJitMethodsKey, jit.AllMethods);
            ChildProcess.Emit(stdout, AllJitMsKey, jit.AllMilliseconds);
        }
        ChildProcess.Emit(stdout, SecondsKey, result.Seconds);
        ChildProcess.Emit(stdout, CpuSecondsKey, cpu);
        ChildProcess.Emit(stdout, FigureKey, result.Figure);
        ChildProcess.Emit(stdout, PeakRssKey, Rss.Peak());
        ChildCommand.EmitSampling(stdout, stderr);
        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
