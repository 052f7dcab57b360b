using Ebb.Proc.Vdso;

namespace Ebb.Proc.Tests.Vdso;

public class VdsoFormatterTests
{
    [Fact]
    public void Format_Fixture_FileHeaderAndOneLinePerFunction()
    {
        var text = VdsoFormatter.Format(ElfParser.Parse(VdsoFixture.Bytes()), "vdso.so");
        var lines = text.Split('\n');
        Assert.Equal("vDSO of vdso.so: 8192 bytes, not mapped: addresses are link-time values, linux-vdso.so.1", lines[0]);
        Assert.Equal("versions: LINUX_2.6; 13 dynamic symbols (counted by DT_GNU_HASH), 12 functions", lines[1]);
        Assert.Equal("", lines[2]);
        Assert.Equal("ADDRESS               SIZE  TYPE   BIND    SYMBOL", lines[3]);
        Assert.Equal("0x0000000000000810    683  FUNC   GLOBAL  __vdso_gettimeofday@@LINUX_2.6", lines[4]);
        Assert.Equal("0x0000000000000af0    902  FUNC   WEAK    clock_gettime@@LINUX_2.6", lines[9]);
        Assert.Equal("0x0000000000000f40    947  FUNC   WEAK    getrandom@@LINUX_2.6", lines[15]);
        Assert.Equal("", lines[16]); // the text ends with a newline
        Assert.Equal(17, lines.Length);
    }

    [Fact]
    public void Format_Mapped_ShowsTheRange()
    {
        var text = VdsoFormatter.Format(ElfParser.Parse(VdsoFixture.Bytes(), 0x7ffd0000a000), "process 42");
        Assert.StartsWith("vDSO of process 42: 0x7ffd0000a000-0x7ffd0000c000 (8192 bytes), linux-vdso.so.1\n", text);
        Assert.Contains("0x00007ffd0000aaf0    902  FUNC   GLOBAL  __vdso_clock_gettime@@LINUX_2.6\n", text);
    }

    [Fact]
    public void FormatBench_BothCostsAndTheRatio()
    {
        var symbol = ElfParser.Parse(VdsoFixture.Bytes(), 0x7000).Find("__vdso_clock_gettime")!;
        var text = VdsoFormatter.FormatBench(new VdsoBenchResult(1000, VdsoClock.Monotonic, symbol, 20, 250), "tsc");
        Assert.Equal(
            "clock_gettime(CLOCK_MONOTONIC), 1000 calls each, clock source tsc\n" +
            "  vDSO          20.0 ns/call   __vdso_clock_gettime@@LINUX_2.6 at 0x7af0\n" +
            "  syscall      250.0 ns/call   syscall(SYS_clock_gettime), entering the kernel\n" +
            "  ratio         12.5x          the system call costs 12.5 times the vDSO call\n",
            text);
    }
}
