using System.Runtime.InteropServices;

namespace Ebb.Os;

/// <summary>
/// The memory system calls, thin and counted: every call lands in
/// <see cref="OsCounters"/>, and every failure raises <see cref="OsException"/>
/// with errno (the <c>Try</c> forms return a sentinel instead, for the allocator's
/// out-of-memory path where an exception would be the wrong tool).
/// </summary>
public static unsafe class OsMemory
{
    private static readonly nint MapFailed = -1;
    private static int vmaNamesUnsupported;

    /// <summary>The size of a page in bytes (4096 on x86-64).</summary>
    public static int PageSize { get; } = Environment.SystemPageSize;

    /// <summary>Rounds <paramref name="size"/> up to a whole number of pages.</summary>
    public static nuint RoundUpToPage(nuint size) => (size + (nuint)PageSize - 1) & ~((nuint)PageSize - 1);

    /// <summary>mmap(2). Throws <see cref="OsException"/> on failure.</summary>
    /// <param name="address">A hint, or the exact place with <see cref="MapFlags.Fixed"/>; 0 lets the kernel choose.</param>
    /// <param name="length">Bytes to map; the kernel rounds up to pages.</param>
    /// <param name="prot">Initial protection.</param>
    /// <param name="flags">Mapping flags; anonymous private memory is <c>Private | Anonymous</c>.</param>
    /// <param name="fd">A file descriptor, or -1 for anonymous memory.</param>
    /// <param name="offset">Offset in the file, a multiple of the page size.</param>
    public static nint Map(nint address, nuint length, Prot prot, MapFlags flags, int fd = -1, long offset = 0)
    {
        nint p = TryMap(address, length, prot, flags, fd, offset, out int errno);
        if (p == 0) throw new OsException("mmap", errno);
        return p;
    }

    /// <summary>mmap(2) that returns 0 and the errno instead of throwing.</summary>
    public static nint TryMap(nint address, nuint length, Prot prot, MapFlags flags, int fd, long offset, out int errno)
    {
        nint p = Native.mmap(address, length, (int)prot, (int)flags, fd, offset);
        bool failed = p == MapFailed;
        errno = failed ? Marshal.GetLastPInvokeError() : 0;
        OsCounters.Count(OsCall.Mmap, (long)length, failed);
        return failed ? 0 : p;
    }

    /// <summary>Maps <paramref name="length"/> bytes of fresh, zeroed, private read-write memory.</summary>
    public static nint MapAnonymous(nuint length) =>
        Map(0, length, Prot.ReadWrite, MapFlags.Private | MapFlags.Anonymous);

    /// <summary>munmap(2): gives the range back to the OS.</summary>
    public static void Unmap(nint address, nuint length) =>
        Check(Native.munmap(address, length), OsCall.Munmap, "munmap", length);

    /// <summary>mprotect(2): changes the protection of whole pages.</summary>
    public static void Protect(nint address, nuint length, Prot prot) =>
        Check(Native.mprotect(address, length, (int)prot), OsCall.Mprotect, "mprotect", length);

    /// <summary>mprotect(2) that returns false instead of throwing (ENOMEM where commit is strictly accounted).</summary>
    public static bool TryProtect(nint address, nuint length, Prot prot)
    {
        bool failed = Native.mprotect(address, length, (int)prot) != 0;
        OsCounters.Count(OsCall.Mprotect, (long)length, failed);
        return !failed;
    }

    /// <summary>madvise(2): tells the kernel how the range will be used, or drops its pages.</summary>
    public static void Advise(nint address, nuint length, Advice advice) =>
        Check(Native.madvise(address, length, (int)advice), OsCall.Madvise, "madvise", length);

    /// <summary>madvise(2) that returns false instead of throwing (MADV_FREE is missing on old kernels).</summary>
    public static bool TryAdvise(nint address, nuint length, Advice advice)
    {
        bool failed = Native.madvise(address, length, (int)advice) != 0;
        OsCounters.Count(OsCall.Madvise, (long)length, failed);
        return !failed;
    }

    /// <summary>mremap(2): grows or shrinks a mapping, moving it (without copying) when allowed.</summary>
    /// <returns>The mapping's address, new or unchanged.</returns>
    public static nint Remap(nint address, nuint oldLength, nuint newLength, RemapFlags flags, nint newAddress = 0)
    {
        nint p = TryRemap(address, oldLength, newLength, flags, newAddress, out int errno);
        if (p == 0) throw new OsException("mremap", errno);
        return p;
    }

    /// <summary>mremap(2) that returns 0 and the errno instead of throwing.</summary>
    public static nint TryRemap(nint address, nuint oldLength, nuint newLength, RemapFlags flags, nint newAddress, out int errno)
    {
        nint p = Native.mremap(address, oldLength, newLength, (int)flags, newAddress);
        bool failed = p == MapFailed;
        errno = failed ? Marshal.GetLastPInvokeError() : 0;
        OsCounters.Count(OsCall.Mremap, (long)newLength, failed);
        return failed ? 0 : p;
    }

    /// <summary>
    /// brk(2), the system call itself (not libc's wrapper): sets the program break and
    /// returns the break now in force. The kernel returns the old break when it refuses,
    /// so a result below <paramref name="address"/> means the request failed.
    /// </summary>
    public static nint Brk(nint address)
    {
        nint before = address == 0 ? 0 : (nint)Native.syscall1(Native.SYS_brk, 0);
        nint now = (nint)Native.syscall1(Native.SYS_brk, address);
        bool failed = address != 0 && now != address;
        OsCounters.Count(OsCall.Brk, address == 0 ? 0 : Math.Abs((long)now - before), failed);
        return now;
    }

    /// <summary>The current program break (<c>brk(0)</c>), counted as a brk call.</summary>
    public static nint CurrentBreak => Brk(0);

    /// <summary>sbrk(3) from libc: moves the break by <paramref name="increment"/> and returns the old break.</summary>
    public static nint Sbrk(nint increment)
    {
        nint old = Native.sbrk(increment);
        bool failed = old == MapFailed;
        int errno = failed ? Marshal.GetLastPInvokeError() : 0;
        OsCounters.Count(OsCall.Sbrk, Math.Abs((long)increment), failed);
        if (failed) throw new OsException("sbrk", errno);
        return old;
    }

    /// <summary>
    /// Names an anonymous mapping (shown as <c>[anon:NAME]</c> in /proc/PID/maps) through
    /// <c>prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME)</c>. Kernels built without
    /// CONFIG_ANON_VMA_NAME answer EINVAL: then this returns false, once and for all, silently.
    /// </summary>
    public static bool TryNameMapping(nint address, nuint length, string name)
    {
        if (Volatile.Read(ref vmaNamesUnsupported) != 0) return false;
        nint text = Marshal.StringToCoTaskMemUTF8(name);
        try
        {
            int rc = Native.prctl(Native.PR_SET_VMA, Native.PR_SET_VMA_ANON_NAME, (nuint)address, length, (nuint)text);
            bool failed = rc != 0;
            OsCounters.Count(OsCall.Prctl, (long)length, failed);
            if (failed && Marshal.GetLastPInvokeError() == Errnos.EINVAL) Volatile.Write(ref vmaNamesUnsupported, 1);
            return !failed;
        }
        finally
        {
            Marshal.FreeCoTaskMem(text);
        }
    }

    /// <summary>getauxval(3): a value from the auxiliary vector the kernel gave the process, 0 when absent.</summary>
    /// <param name="type">An AT_* constant, e.g. 33 (AT_SYSINFO_EHDR, the vDSO's address).</param>
    public static nuint GetAuxValue(ulong type) => Native.getauxval((nuint)type);

    /// <summary>
    /// clock_gettime(2) as a raw system call, bypassing the vDSO, so the two can be timed
    /// against each other. Returns the time in nanoseconds.
    /// </summary>
    public static long ClockGettimeSyscall(int clockId)
    {
        Timespec ts;
        long rc = Native.syscall2(Native.SYS_clock_gettime, clockId, (nint)(&ts));
        if (rc != 0) throw new OsException("clock_gettime", Marshal.GetLastPInvokeError());
        return ts.Seconds * 1_000_000_000L + ts.Nanoseconds;
    }

    private static void Check(int rc, OsCall kind, string name, nuint length)
    {
        bool failed = rc != 0;
        int errno = failed ? Marshal.GetLastPInvokeError() : 0;
        OsCounters.Count(kind, (long)length, failed);
        if (failed) throw new OsException(name, errno);
    }
}

/// <summary>struct timespec on x86-64: seconds and nanoseconds, both 64-bit.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct Timespec
{
    /// <summary>Whole seconds.</summary>
    public long Seconds;
    /// <summary>Nanoseconds within the second, 0 to 999,999,999.</summary>
    public long Nanoseconds;
}
