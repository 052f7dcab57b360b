using Ebb.DotNetHost;
using System.Runtime.InteropServices;

namespace Ebb.Os;

// The .NET host's throwing forms of the memory system calls, for its callers outside the
// allocator's own paths (tests, the tour's experiments); the core uses the Try forms only.
internal static unsafe partial class OsMemory
{
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

    /// <summary>Maps <paramref name="length"/> bytes of fresh, zeroed, private read-write memory.</summary>
    public static nint MapAnonymous(nuint length) =>
        Map(0, length, Prot.ReadWrite, MapFlags.Private | MapFlags.Anonymous);

    /// <summary>munmap(2): gives the range back to the OS. Throws <see cref="OsException"/> on failure.</summary>
    public static void Unmap(nint address, nuint length)
    {
        if (!TryUnmap(address, length)) throw new OsException("munmap", OsCounters.LastError(OsCall.Munmap));
    }

    /// <summary>mprotect(2): changes the protection of whole pages. Throws <see cref="OsException"/> on failure.</summary>
    public static void Protect(nint address, nuint length, Prot prot)
    {
        if (!TryProtect(address, length, prot)) throw new OsException("mprotect", OsCounters.LastError(OsCall.Mprotect));
    }

    /// <summary>madvise(2): tells the kernel how the range will be used, or drops its pages. Throws <see cref="OsException"/> on failure.</summary>
    public static void Advise(nint address, nuint length, Advice advice)
    {
        if (!TryAdvise(address, length, advice)) throw new OsException("madvise", OsCounters.LastError(OsCall.Madvise));
    }

    /// <summary>mremap(2): grows or shrinks a mapping, moving it (without copying) when allowed.</summary>
    /// <returns>The mapping's address, new or unchanged.</returns>
    public static nint Remap(nint address, nuint oldLength, nuint newLength, RemapFlags flags, nint newAddress = 0)
    {
        nint p = TryRemap(address, oldLength, newLength, flags, newAddress, out int errno);
        if (p == 0) throw new OsException("mremap", errno);
        return p;
    }

    /// <summary>sbrk(3) from libc: moves the break by <paramref name="increment"/> and returns the old break. Throws <see cref="OsException"/> on failure.</summary>
    public static nint Sbrk(nint increment)
    {
        nint old = TrySbrk(increment, out int errno);
        if (old == -1) throw new OsException("sbrk", errno);
        return old;
    }

    /// <summary>Names an anonymous mapping (see the core's form); false on a kernel that cannot.</summary>
    public static bool TryNameMapping(nint address, nuint length, string name)
    {
        nint text = Marshal.StringToCoTaskMemUTF8(name);
        try
        {
            return TryNameMapping(address, length, (byte*)text);
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
        if (rc != 0) throw new OsException("clock_gettime", Native.LastError);
        return ts.Seconds * 1_000_000_000L + ts.Nanoseconds;
    }
}
