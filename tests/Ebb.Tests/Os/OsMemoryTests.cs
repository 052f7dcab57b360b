using Ebb.DotNetHost;
using Ebb.Os;

namespace Ebb.Tests.Os;

public unsafe class OsMemoryTests
{
    [Fact]
    public void MapWriteUnmap_IsCountedWithBytes()
    {
        var before = OsCounters.Snapshot();
        nint p = OsMemory.MapAnonymous(8192);
        ((byte*)p)[8191] = 42;
        Assert.Equal(42, ((byte*)p)[8191]);
        OsMemory.Unmap(p, 8192);
        var delta = OsCounters.Snapshot().Since(before);
        Assert.True(delta.Calls(OsCall.Mmap) >= 1);
        Assert.True(delta.Bytes(OsCall.Mmap) >= 8192);
        Assert.True(delta.Calls(OsCall.Munmap) >= 1);
    }

    [Fact]
    public void FreshAnonymousMemoryIsZero_AndDontNeedZeroesItAgain()
    {
        nuint len = (nuint)OsMemory.PageSize;
        nint p = OsMemory.MapAnonymous(len);
        try
        {
            var span = new Span<byte>((void*)p, (int)len);
            Assert.True(span.IndexOfAnyExcept((byte)0) < 0);
            span.Fill(0x5A);
            OsMemory.Advise(p, len, Advice.DontNeed);
            Assert.True(span.IndexOfAnyExcept((byte)0) < 0);
        }
        finally { OsMemory.Unmap(p, len); }
    }

    [Fact]
    public void FailureCarriesErrno()
    {
        // An unaligned address is EINVAL for munmap.
        var e = Assert.Throws<OsException>(() => OsMemory.Unmap(1, 4096));
        Assert.Equal(Errnos.EINVAL, e.Errno);
        Assert.Equal("munmap", e.Call);
        Assert.StartsWith("munmap: ", e.Message);
    }

    [Fact]
    public void RemapGrowsWithoutLosingContents()
    {
        nint p = OsMemory.MapAnonymous(4096);
        *(long*)p = 0x1234_5678_9ABC;
        nint q = OsMemory.Remap(p, 4096, 1 << 20, RemapFlags.MayMove);
        Assert.Equal(0x1234_5678_9ABC, *(long*)q);
        ((byte*)q)[(1 << 20) - 1] = 1;
        OsMemory.Unmap(q, 1 << 20);
    }

    [Fact]
    public void ProtectNoneThenBackToReadWrite()
    {
        nint p = OsMemory.MapAnonymous(4096);
        OsMemory.Protect(p, 4096, Prot.None);
        OsMemory.Protect(p, 4096, Prot.ReadWrite);
        *(int*)p = 7;
        Assert.Equal(7, *(int*)p);
        OsMemory.Unmap(p, 4096);
    }

    [Fact]
    public void BreakQueryIsStableAndSbrkZeroAgrees()
    {
        nint a = OsMemory.CurrentBreak;
        nint b = OsMemory.Sbrk(0);
        Assert.NotEqual(0, a);
        Assert.Equal(a, b);
    }

    [Fact]
    public void RawClockGettimeAgreesWithTheLibrary()
    {
        const int CLOCK_REALTIME = 0;
        long raw = OsMemory.ClockGettimeSyscall(CLOCK_REALTIME);
        long managed = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        Assert.InRange(Math.Abs(raw - managed), 0, 5_000_000_000L);
    }

    [Fact]
    public void VdsoAddressComesFromTheAuxVector()
    {
        const ulong AT_SYSINFO_EHDR = 33, AT_PAGESZ = 6;
        Assert.NotEqual((nuint)0, OsMemory.GetAuxValue(AT_SYSINFO_EHDR));
        Assert.Equal((nuint)OsMemory.PageSize, OsMemory.GetAuxValue(AT_PAGESZ));
    }

    [Fact]
    public void NamingAMappingNeverThrows()
    {
        nint p = OsMemory.MapAnonymous(4096);
        // Without CONFIG_ANON_VMA_NAME the kernel says EINVAL and we carry on.
        _ = OsMemory.TryNameMapping(p, 4096, "ebb");
        OsMemory.Unmap(p, 4096);
    }
}
