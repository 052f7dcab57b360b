using System.Globalization;
using Ebb.Os;
using Ebb.Proc;
using Ebb.Proc.Vdso;

namespace Ebb.Cli;

/// <summary>
/// <c>ebb lab vdso</c>: clock_gettime through the vDSO and as a raw system call, the cost of
/// each, and the address of the function called shown lying inside the <c>[vdso]</c> line of
/// /proc/self/maps: the call jumps into a page the kernel mapped, and never enters the kernel.
/// </summary>
public sealed class VdsoLab : ILabExperiment
{
    private const int DefaultCalls = 1_000_000;

    /// <inheritdoc/>
    public string Name => "vdso";

    /// <inheritdoc/>
    public string Summary => "clock_gettime through the vDSO against the system call; where the code is";

    /// <inheritdoc/>
    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        int calls = DefaultCalls;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-h" or "--help":
                    stdout.WriteLine("Usage: ebb lab vdso [-n N]");
                    stdout.WriteLine();
                    stdout.WriteLine("Calls clock_gettime through the vDSO's function pointer and as a raw system call,");
                    stdout.WriteLine("N times each (default 1000000), and shows that the function called lies inside");
                    stdout.WriteLine("the [vdso] mapping of /proc/self/maps.");
                    return 0;
                case "-n" when i + 1 < args.Length
                    && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0:
                    calls = n;
                    i++;
                    break;
                case "-n":
                    throw new CliException($"ebb lab vdso: -n needs a positive whole number{(i + 1 < args.Length ? $", not '{args[i + 1]}'" : "")}");
                default:
                    throw new CliException($"ebb lab vdso: unknown option '{args[i]}' (try 'ebb lab vdso --help')");
            }
        }
        stdout.Write(Format(Measure(calls)));
        return 0;
    }

    /// <summary>Runs the experiment and gathers the facts it shows.</summary>
    /// <param name="calls">Calls of each kind for the timing.</param>
    public static VdsoLabFacts Measure(int calls)
    {
        ulong auxv = OsMemory.GetAuxValue(VdsoReader.AT_SYSINFO_EHDR);
        var image = VdsoReader.ReadSelf();
        var clock = VdsoClock.FromImage(image);
        var mapping = VdsoProcess.Locate("self");
        long vdsoTime = clock.GetTime(VdsoClock.Realtime);
        long syscallTime = OsMemory.ClockGettimeSyscall(VdsoClock.Realtime);
        var bench = VdsoBench.Run(clock, calls);
        return new VdsoLabFacts(auxv, mapping, clock.Symbol, vdsoTime, syscallTime, bench, VdsoReader.CurrentClockSource());
    }

    /// <summary>The experiment's text: a pure function of its facts.</summary>
    public static string Format(VdsoLabFacts f)
    {
        var w = new StringWriter();
        ulong address = f.Function.Address;
        w.WriteLine($"getauxval(AT_SYSINFO_EHDR) = 0x{f.AuxvAddress:x}   where the kernel mapped the vDSO in this process");
        w.WriteLine("its line in /proc/self/maps:");
        w.WriteLine($"  {f.Mapping}");
        w.WriteLine($"{f.Function.DisplayName} is at 0x{address:x}:");
        w.WriteLine(f.FunctionInsideMapping
            ? $"  inside [vdso] (0x{f.Mapping.Start:x}-0x{f.Mapping.End:x}), 0x{address - f.Mapping.Start:x} bytes in: a call to it runs the kernel's code in user mode"
            : $"  NOT inside [vdso] (0x{f.Mapping.Start:x}-0x{f.Mapping.End:x})");
        w.WriteLine();
        w.WriteLine($"one reading each way (CLOCK_REALTIME): vDSO {FormatTime(f.VdsoRealtime)}, system call {FormatTime(f.SyscallRealtime)}");
        w.WriteLine();
        w.Write(VdsoFormatter.FormatBench(f.Bench, f.ClockSource));
        w.WriteLine();
        w.WriteLine("The vDSO call is an ordinary function call into that page: it reads the time the kernel");
        w.WriteLine("keeps updated in the [vvar] page next to it. The system call switches to the kernel and back,");
        w.WriteLine("which is what the difference costs. `strace -e trace=clock_gettime` would show only the");
        w.WriteLine("system calls: the vDSO calls never reach the kernel.");
        return w.ToString();
    }

    private static string FormatTime(long ns) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ns / 1_000_000).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
        + $".{ns % 1_000_000_000:D9} UTC";
}

/// <summary>What <c>ebb lab vdso</c> found.</summary>
/// <param name="AuxvAddress">The vDSO's address from getauxval(AT_SYSINFO_EHDR).</param>
/// <param name="Mapping">The <c>[vdso]</c> line of /proc/self/maps.</param>
/// <param name="Function">The clock_gettime symbol called.</param>
/// <param name="VdsoRealtime">CLOCK_REALTIME read through the vDSO, in nanoseconds since 1970.</param>
/// <param name="SyscallRealtime">CLOCK_REALTIME read by the system call just after.</param>
/// <param name="Bench">The timing of both paths.</param>
/// <param name="ClockSource">The kernel's clock source, when sysfs says.</param>
public sealed record VdsoLabFacts(
    ulong AuxvAddress, MapEntry Mapping, ElfSymbol Function, long VdsoRealtime, long SyscallRealtime,
    VdsoBenchResult Bench, string? ClockSource)
{
    /// <summary>Whether the function called lies inside the [vdso] mapping.</summary>
    public bool FunctionInsideMapping => Mapping.Contains(Function.Address);
}
