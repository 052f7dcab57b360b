using Ebb.Os;
using Ebb.Proc;
using Ebb.Proc.Vdso;

namespace Ebb.Cli.Tests.Lab;

public class VdsoLabTests
{
    [Fact]
    public void FunctionCalled_LiesInsideTheVdsoLineOfProcSelfMaps()
    {
        var facts = VdsoLab.Measure(1000);
        // Checked against a fresh read of the maps file, not only the lab's own.
        var vdso = MapsParser.Read("self").Single(m => m.Name == "[vdso]");
        Assert.Equal(vdso.Start, facts.Mapping.Start);
        Assert.Equal(vdso.Start, facts.AuxvAddress);
        Assert.InRange(facts.Function.Address, vdso.Start, vdso.End - 1);
        Assert.True(facts.FunctionInsideMapping);
        Assert.Contains('x', vdso.PermissionsText);
        Assert.Equal("__vdso_clock_gettime", facts.Function.Name);
        // The two readings of the wall clock agree: the vDSO one came first.
        Assert.InRange(facts.SyscallRealtime - facts.VdsoRealtime, 0, 1_000_000_000L);
        Assert.Equal(1000, facts.Bench.Calls);
    }

    [Fact]
    public void Output_StatesTheFacts()
    {
        var o = new StringWriter();
        var e = new StringWriter();
        Assert.Equal(0, Cli.Run(["lab", "vdso", "-n", "1000"], o, e));
        string text = o.ToString();
        ulong at = OsMemory.GetAuxValue(VdsoReader.AT_SYSINFO_EHDR);
        Assert.Contains($"getauxval(AT_SYSINFO_EHDR) = 0x{at:x}", text);
        Assert.Contains("[vdso]\n", text);
        Assert.Contains("  inside [vdso] (", text);
        Assert.Contains("ns/call", text);
    }

    [Fact]
    public void BadOption_IsOneLine()
    {
        var o = new StringWriter();
        var e = new StringWriter();
        Assert.Equal(1, Cli.Run(["lab", "vdso", "-n", "x"], o, e));
        Assert.Equal("ebb lab vdso: -n needs a positive whole number, not 'x'" + Environment.NewLine, e.ToString());
    }
}
