using Ebb.Cli.Interop;
using Ebb.Cli.Terminal;
using System.Diagnostics;
using System.Globalization;
using Ebb.Proc.Vdso;

namespace Ebb.Cli.Lab;

/// <summary>
/// <c>ebb lab vdso</c>: clock_gettime through the vDSO and as a raw system call, the cost of
/// each, and the address of the function called shown lying inside the <c>[vdso]</c> line of
/// /proc/self/maps: the call jumps into a page the kernel mapped, and never enters the
/// kernel. With <c>--strace</c>, strace counts the clock_gettime system calls to prove it.
/// </summary>
public sealed class VdsoLab : ILabExperiment
{
    private const int DefaultCalls = 1_000_000;

    // Under strace every system call costs tens of microseconds: fewer calls by default.
    private const int DefaultStraceCalls = 1000;

    /// <inheritdoc/>
    public string Name => "vdso";

    /// <inheritdoc/>
    public string Summary => "clock_gettime through the vDSO against the system call; where the code is";

    /// <inheritdoc/>
    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        int? calls = null;
        var o = LabOptions.Parse(Name, args, p => p.Value("-n", v => calls = PositiveInt(v), missing: "-n needs a positive whole number"));
        if (o.Help)
        {
            stdout.WriteLine("Usage: ebb lab vdso [-n N] [--json] [--strace]");
            stdout.WriteLine();
            stdout.WriteLine("Calls clock_gettime through the vDSO's function pointer and as a raw system call,");
            stdout.WriteLine($"N times each (default {DefaultCalls}; {DefaultStraceCalls} with --strace), and shows that the");
            stdout.WriteLine("function called lies inside the [vdso] mapping of /proc/self/maps. With --strace, a");
            stdout.WriteLine("child runs it under strace(1), which counts the clock_gettime system calls: only the raw ones.");
            stdout.WriteLine();
            stdout.WriteLine("  -n N          calls of each kind");
            LabOptions.PrintCommonHelp(stdout, child: false);
            return 0;
        }
        if (o.Strace) return RunUnderStrace(calls ?? DefaultStraceCalls, stdout);
        var facts = LabStrace.Marked(() => Measure(calls ?? DefaultCalls));
        if (o.Json) stdout.WriteLine(LabChild.ToJson(facts));
        else stdout.Write(Format(facts));
        return 0;
    }

    private static int PositiveInt(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n
            : throw new CliException($"ebb lab vdso: -n needs a positive whole number, not '{text}'");

    /// <summary>Runs the experiment and gathers the facts it shows.</summary>
    /// <param name="calls">Calls of each kind for the timing.</param>
    public static VdsoLabFacts Measure(int calls)
    {
        ulong auxv = (ulong)Libc.getauxval((nuint)VdsoReader.AT_SYSINFO_EHDR);
        var image = VdsoReader.ReadSelf();
        var clock = VdsoClock.FromImage(image);
        var mapping = VdsoProcess.Locate("self");
        long vdsoTime = clock.GetTime(VdsoClock.Realtime);
        long syscallTime = Libc.ClockGettimeSyscall(VdsoClock.Realtime);
        var bench = VdsoBench.Run(clock, calls);
        // One reading each way above, then the bench's warm-up and timed calls.
        int each = 1 + VdsoBench.WarmupCalls(calls) + calls;
        return new VdsoLabFacts(auxv, mapping.Start, mapping.End, mapping.ToString(), clock.Symbol.DisplayName, clock.Symbol.Address,
            vdsoTime, syscallTime, calls, bench.VdsoNanoseconds, bench.SyscallNanoseconds, each, each, VdsoReader.CurrentClockSource());
    }

    /// <summary>The experiment's text: a pure function of its facts.</summary>
    public static string Format(VdsoLabFacts f)
    {
        var w = new StringWriter();
        ulong address = f.FunctionAddress;
        w.WriteLine($"getauxval(AT_SYSINFO_EHDR) = 0x{f.AuxvAddress:x}   where the kernel mapped the vDSO in this process");
        w.WriteLine("its line in /proc/self/maps:");
        w.WriteLine($"  {f.MappingLine}");
        w.WriteLine($"{f.FunctionName} is at 0x{address:x}:");
        w.WriteLine(f.FunctionInsideMapping
            ? $"  inside [vdso] (0x{f.MappingStart:x}-0x{f.MappingEnd:x}), 0x{address - f.MappingStart:x} bytes in: a call to it runs the kernel's code in user mode"
            : $"  NOT inside [vdso] (0x{f.MappingStart:x}-0x{f.MappingEnd:x})");
        w.WriteLine();
        w.WriteLine($"one reading each way (CLOCK_REALTIME): vDSO {FormatTime(f.VdsoRealtime)}, system call {FormatTime(f.SyscallRealtime)}");
        w.WriteLine();
        string ratio = f.VdsoNanoseconds > 0 ? (f.SyscallNanoseconds / f.VdsoNanoseconds).ToString("F1", CultureInfo.InvariantCulture) : "?";
        w.WriteLine($"clock_gettime(CLOCK_MONOTONIC), {f.Calls} calls each{(f.ClockSource is null ? "" : $", clock source {f.ClockSource}")}");
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  vDSO     {f.VdsoNanoseconds,9:F1} ns/call   a function call into [vdso]"));
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  syscall  {f.SyscallNanoseconds,9:F1} ns/call   syscall(SYS_clock_gettime), entering the kernel"));
        w.WriteLine($"  the system call costs {ratio} times the vDSO call");
        w.WriteLine();
        w.WriteLine("The vDSO call is an ordinary function call into that page: it reads the time the kernel");
        w.WriteLine("keeps updated in the [vvar] page next to it. The system call switches to the kernel and back,");
        w.WriteLine("which is what the difference costs. `ebb lab vdso --strace` counts the system calls.");
        return w.ToString();
    }

    /// <summary>
    /// Runs the experiment in a child under <c>strace -f -e trace=clock_gettime</c> and counts
    /// the clock_gettime system calls made between the experiment's markers.
    /// </summary>
    private static int RunUnderStrace(int calls, TextWriter stdout)
    {
        string strace = LabStrace.FindOnPath("strace")
            ?? throw new CliException("ebb lab vdso: strace not found (install it, e.g. apt-get install strace)");
        string log = Path.Combine(Path.GetTempPath(), $"ebb-lab-vdso-{Environment.ProcessId}-{Guid.NewGuid():N}.strace");
        try
        {
            var child = SelfProcess.StartInfo(["lab", "vdso", "--json", "-n", calls.ToString(CultureInfo.InvariantCulture)]);
            var info = new ProcessStartInfo(strace) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-f", "-qq", "-o", log, "-e", "trace=clock_gettime,madvise", child.FileName }) info.ArgumentList.Add(a);
            foreach (var a in child.ArgumentList) info.ArgumentList.Add(a);
            info.Environment[LabStrace.MarkVariable] = "1";
            var (code, output, error) = SelfProcess.Run(info, TimeSpan.FromSeconds(120));
            if (code != 0 || !File.Exists(log))
            {
                string why = error.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? $"exit code {code}";
                throw new CliException($"ebb lab vdso: strace failed: {why}");
            }
            var facts = LabChild.Parse<VdsoLabFacts>("vdso", output);
            stdout.Write(Format(facts));
            int seen = CountBetweenMarkers(File.ReadAllLines(log), "clock_gettime(");
            stdout.WriteLine();
            stdout.Write(FormatStrace(facts, seen));
            return 0;
        }
        finally
        {
            File.Delete(log);
        }
    }

    /// <summary>How many lines between the first two marker lines of a trace contain <paramref name="call"/>.</summary>
    internal static int CountBetweenMarkers(IEnumerable<string> trace, string call) =>
        trace.SkipWhile(l => !l.Contains(LabStrace.Marker, StringComparison.Ordinal)).Skip(1)
             .TakeWhile(l => !l.Contains(LabStrace.Marker, StringComparison.Ordinal))
             .Count(l => l.Contains(call, StringComparison.Ordinal));

    /// <summary>What strace's count shows, given the calls the experiment made.</summary>
    public static string FormatStrace(VdsoLabFacts f, int seen)
    {
        var w = new StringWriter();
        w.WriteLine($"strace -f -e trace=clock_gettime, during the experiment: {seen} clock_gettime system calls");
        w.WriteLine($"  the experiment made {f.RawSyscalls} raw system calls and {f.VdsoCalls} calls through the vDSO");
        w.WriteLine(seen == f.RawSyscalls
            ? "  so the kernel saw exactly the raw ones: none of the vDSO calls entered the kernel."
            : seen > f.RawSyscalls
                ? $"  {seen - f.RawSyscalls} more than the raw ones: the vDSO fell back to the system call (a clock source it cannot read in user mode?)."
                : "  fewer than the raw ones: strace missed some (was the trace cut short?).");
        w.WriteLine("  (the system call's cost above includes strace stopping the child at every call)");
        return w.ToString();
    }

    private static string FormatTime(long ns) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ns / 1_000_000).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
        + $".{ns % 1_000_000_000:D9} UTC";
}

/// <summary>What <c>ebb lab vdso</c> found (plain values, so a child can hand them over as JSON).</summary>
/// <param name="AuxvAddress">The vDSO's address from getauxval(AT_SYSINFO_EHDR).</param>
/// <param name="MappingStart">Start of the <c>[vdso]</c> line of /proc/self/maps.</param>
/// <param name="MappingEnd">End of that line's range (exclusive).</param>
/// <param name="MappingLine">The line itself.</param>
/// <param name="FunctionName">The clock_gettime symbol called, with its version.</param>
/// <param name="FunctionAddress">Where it is.</param>
/// <param name="VdsoRealtime">CLOCK_REALTIME read through the vDSO, in nanoseconds since 1970.</param>
/// <param name="SyscallRealtime">CLOCK_REALTIME read by the system call just after.</param>
/// <param name="Calls">Timed calls of each kind.</param>
/// <param name="VdsoNanoseconds">Mean cost of a vDSO call.</param>
/// <param name="SyscallNanoseconds">Mean cost of a raw system call.</param>
/// <param name="VdsoCalls">Every call made through the vDSO (timed, warm-up and the single reading).</param>
/// <param name="RawSyscalls">Every raw clock_gettime system call made.</param>
/// <param name="ClockSource">The kernel's clock source, when sysfs says.</param>
public sealed record VdsoLabFacts(
    ulong AuxvAddress, ulong MappingStart, ulong MappingEnd, string MappingLine, string FunctionName, ulong FunctionAddress,
    long VdsoRealtime, long SyscallRealtime, int Calls, double VdsoNanoseconds, double SyscallNanoseconds,
    int VdsoCalls, int RawSyscalls, string? ClockSource)
{
    /// <summary>Whether the function called lies inside the [vdso] mapping.</summary>
    public bool FunctionInsideMapping => FunctionAddress >= MappingStart && FunctionAddress < MappingEnd;
}
