using Ebb.DotNetHost;
using Ebb.Os;

namespace Ebb.Tests.Os;

/// <summary>The system-call lines of PrintStats: counts in the right number, and a failure's errno with what it means.</summary>
public class OsCountersTextTests
{
    private static OsCountersSnapshot One(OsCall kind, long calls, long bytes, long failures, int errno)
    {
        int n = Enum.GetValues<OsCall>().Length;
        var c = new long[n]; var b = new long[n]; var f = new long[n]; var e = new int[n];
        c[(int)kind] = calls; b[(int)kind] = bytes; f[(int)kind] = failures; e[(int)kind] = errno;
        return new OsCountersSnapshot(c, b, f, e);
    }

    [Fact]
    public void OneCallIsACall_AndAFailedPrctlSaysTheKernelCannotNameMappings()
    {
        string line = One(OsCall.Prctl, 1, 0, 1, Errnos.EINVAL).ToString().TrimEnd();
        Assert.StartsWith("prctl           1 call ", line);
        Assert.DoesNotContain("1 calls", line);
        Assert.EndsWith("(1 failed, EINVAL: this kernel cannot name mappings)", line);
    }

    [Fact]
    public void ManyCallsAreCalls_AndAnotherFailureNamesItsErrno()
    {
        string line = One(OsCall.Mmap, 12, 4096, 2, Errnos.ENOMEM).ToString().TrimEnd();
        Assert.Contains("      12 calls", line);
        Assert.EndsWith("(2 failed, ENOMEM)", line);
        Assert.Equal("errno 99", Errnos.Name(99));
    }

    [Fact]
    public void ARealFailureRecordsItsErrno()
    {
        var before = OsCounters.Snapshot();
        Assert.False(OsMemory.TryProtect(0x1000, 4096, Prot.Read));
        var since = OsCounters.Snapshot().Since(before);
        Assert.True(since.Failures(OsCall.Mprotect) >= 1);
        Assert.Equal(Errnos.ENOMEM, since.LastError(OsCall.Mprotect));
    }
}
