using Ebb.Cli.Lab;
using Ebb.Proc;
using Ebb.Proc.Vdso;
using static Ebb.Cli.Tests.CliRunner;

namespace Ebb.Cli.Tests.Lab;

public class VdsoLabTests
{
    [Fact]
    public void FunctionCalled_LiesInsideTheVdsoLineOfProcSelfMaps()
    {
        var facts = VdsoLab.Measure(1000);
        // Checked against a fresh read of the maps file, not only the lab's own.
        var vdso = MapsParser.Read("self").Single(m => m.Name == "[vdso]");
        Assert.Equal(vdso.Start, facts.MappingStart);
        Assert.Equal(vdso.End, facts.MappingEnd);
        Assert.Equal(vdso.Start, facts.AuxvAddress);
        Assert.InRange(facts.FunctionAddress, vdso.Start, vdso.End - 1);
        Assert.True(facts.FunctionInsideMapping);
        Assert.Contains('x', vdso.PermissionsText);
        Assert.Equal("__vdso_clock_gettime@@LINUX_2.6", facts.FunctionName);
        Assert.EndsWith("[vdso]", facts.MappingLine);
        // The two readings of the wall clock agree: the vDSO one came first.
        Assert.InRange(facts.SyscallRealtime - facts.VdsoRealtime, 0, 1_000_000_000L);
        Assert.Equal(1000, facts.Calls);
        Assert.Equal(1 + 1000 + 1000, facts.RawSyscalls);
    }

    [Fact]
    public void Output_StatesTheFacts()
    {
        var (code, text, _) = Run("lab", "vdso", "-n", "1000");
        Assert.Equal(0, code);
        ulong at = AuxvParser.Read("self").Single(e => e.Type == AuxvEntry.AT_SYSINFO_EHDR).Value;
        Assert.Contains($"getauxval(AT_SYSINFO_EHDR) = 0x{at:x}", text);
        Assert.Contains("[vdso]\n", text);
        Assert.Contains("  inside [vdso] (", text);
        Assert.Contains("ns/call", text);
    }

    [Fact]
    public void Json_RoundTripsTheFacts()
    {
        var (code, stdout, _) = Run("lab", "vdso", "--json", "-n", "100");
        Assert.Equal(0, code);
        var f = LabChild.Parse<VdsoLabFacts>("vdso", stdout);
        Assert.True(f.FunctionInsideMapping);
        Assert.Equal(100, f.Calls);
    }

    [Fact]
    public void CountBetweenMarkers_CountsOnlyTheExperimentsWindow()
    {
        string[] trace =
        [
            "100 clock_gettime(CLOCK_MONOTONIC, {tv_sec=1, tv_nsec=2}) = 0",
            "100 madvise(NULL, 0, MADV_NORMAL)     = 0",
            "100 clock_gettime(CLOCK_REALTIME, {tv_sec=1, tv_nsec=2}) = 0",
            "101 clock_gettime(CLOCK_MONOTONIC, {tv_sec=1, tv_nsec=3}) = 0",
            "100 madvise(NULL, 0, MADV_NORMAL)     = 0",
            "100 clock_gettime(CLOCK_MONOTONIC, {tv_sec=1, tv_nsec=4}) = 0",
        ];
        Assert.Equal(2, VdsoLab.CountBetweenMarkers(trace, "clock_gettime("));
    }

    [Fact]
    public void FormatStrace_SaysWhetherTheVdsoEnteredTheKernel()
    {
        var f = new VdsoLabFacts(0x7000, 0x7000, 0x9000, "l", "__vdso_clock_gettime@@LINUX_2.6", 0x7af0, 1, 2, 10, 20, 300, 21, 21, "tsc");
        Assert.Contains("exactly the raw ones: none of the vDSO calls entered the kernel", VdsoLab.FormatStrace(f, 21));
        Assert.Contains("21 more than the raw ones", VdsoLab.FormatStrace(f, 42));
    }

    [SkippableFact]
    public void Strace_SeesOnlyTheRawSystemCalls()
    {
        var (code, stdout, err) = Run("lab", "vdso", "--strace", "-n", "50");
        // tests/install-test-tools.sh installs strace when the tests build (as root); without it
        // only the refusal can be checked, and the test says it was skipped.
        if (LabStrace.FindOnPath("strace") is null)
        {
            Assert.NotEqual(0, code);
            Assert.Contains("strace not found", err);
            Skip.If(true, "strace is not installed (tests/install-test-tools.sh installs it as root): only the refusal was checked");
        }
        Assert.True(code == 0, err);
        var line = stdout.Split('\n').Single(l => l.StartsWith("strace -f -e trace=clock_gettime", StringComparison.Ordinal));
        int seen = int.Parse(line.Split(": ")[1].Split(' ')[0]);
        const int raw = 1 + 50 + 50;
        Assert.Contains($"the experiment made {raw} raw system calls and {raw} calls through the vDSO", stdout);
        // Every raw call is seen; on a clock source the vDSO reads itself (tsc, kvm-clock, Hyper-V's
        // TSC page), none of the vDSO calls is: the kernel sees exactly the raw ones.
        if (VdsoReader.CurrentClockSource() is "tsc" or "kvm-clock" or "hyperv_clocksource_tsc_page") Assert.Equal(raw, seen);
        else Assert.True(seen >= raw, $"{seen} < {raw}");
    }

    [Fact]
    public void BadOption_IsOneLine()
    {
        var (code, _, err) = Run("lab", "vdso", "-n", "x");
        Assert.Equal(1, code);
        Assert.Equal("ebb lab vdso: -n needs a positive whole number, not 'x'" + Environment.NewLine, err);
        (code, _, err) = Run("lab", "vdso", "--frob");
        Assert.Equal(1, code);
        Assert.Equal("ebb lab vdso: unknown option '--frob' (try 'ebb lab vdso --help')" + Environment.NewLine, err);
    }
}
