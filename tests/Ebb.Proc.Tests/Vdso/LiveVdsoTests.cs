using Ebb.Proc.Vdso;

namespace Ebb.Proc.Tests.Vdso;

public class LiveVdsoTests
{
    [Fact]
    public void Self_IsFoundThroughAuxv_AndHasTheClassicFunctions()
    {
        var image = VdsoReader.ReadSelf();
        // The kernel's own copy of the auxiliary vector, not the getauxval the reader itself calls.
        Assert.Equal(AuxvParser.Read("self").Single(e => e.Type == AuxvEntry.AT_SYSINFO_EHDR).Value, image.Address);
        Assert.Equal(0, image.Size % Environment.SystemPageSize);
        Assert.Equal("linux-vdso.so.1", image.SoName);
        var names = image.Functions.Select(s => s.DisplayName).ToHashSet();
        foreach (var f in new[] { "clock_gettime", "gettimeofday", "time", "getcpu" })
        {
            Assert.Contains($"__vdso_{f}@@LINUX_2.6", names);
            Assert.Contains($"{f}@@LINUX_2.6", names);
        }
        ulong start = image.Address!.Value, end = start + (ulong)image.Size;
        Assert.All(image.Functions, s => Assert.InRange(s.Address, start, end - 1));
    }

    [Fact]
    public void Self_ParsedInPlace_EqualsItsCopyParsedAtTheSameAddress()
    {
        var live = VdsoReader.ReadSelf();
        var copy = ElfParser.Parse(VdsoReader.CopySelf(), live.Address);
        Assert.Equal(live.Symbols, copy.Symbols);
        Assert.Equal(live.Size, copy.Size);
    }

    [Fact]
    public void VdsoClock_AgreesWithTheSystemCall()
    {
        var clock = VdsoClock.ForSelf();
        Assert.Equal("__vdso_clock_gettime", clock.Symbol.Name);
        for (int i = 0; i < 100; i++)
        {
            // CLOCK_MONOTONIC never goes back, so a vDSO reading lies between two system-call readings.
            long before = Libc.ClockGettimeSyscall(VdsoClock.Monotonic);
            long vdso = clock.GetTime(VdsoClock.Monotonic);
            long after = Libc.ClockGettimeSyscall(VdsoClock.Monotonic);
            Assert.InRange(vdso, before, after);
        }
        // The wall clock, through both paths, within a second of each other.
        long wall = clock.GetTime(VdsoClock.Realtime);
        Assert.InRange(Libc.ClockGettimeSyscall(VdsoClock.Realtime) - wall, 0, 1_000_000_000L);
    }

    [Fact]
    public void VdsoClock_RefusesAnImageThatIsNotThisProcesssVdso()
    {
        var fixture = ElfParser.Parse(VdsoFixture.Bytes());
        Assert.Throws<VdsoException>(() => VdsoClock.FromImage(fixture));
        var elsewhere = ElfParser.Parse(VdsoReader.CopySelf(), 0x1000_0000);
        Assert.Throws<VdsoException>(() => VdsoClock.FromImage(elsewhere));
    }

    [Fact]
    public void VdsoClock_BadClockId_IsAnArgumentException()
    {
        Assert.Throws<ArgumentException>(() => VdsoClock.ForSelf().GetTime(-100));
    }

    [Fact]
    public void Bench_ReportsBothCostsAndTheirRatio()
    {
        var clock = VdsoClock.ForSelf();
        var r = VdsoBench.Run(clock, 500);
        Assert.Equal(500, r.Calls);
        Assert.True(r.VdsoNanoseconds > 0 && r.SyscallNanoseconds > 0);
        Assert.Equal(r.SyscallNanoseconds / r.VdsoNanoseconds, r.Ratio, 6);
        Assert.Same(clock.Symbol, r.Symbol);
        Assert.Throws<ArgumentOutOfRangeException>(() => VdsoBench.Run(clock, 0));
    }
}
