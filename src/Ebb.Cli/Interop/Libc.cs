using System.Runtime.InteropServices;

namespace Ebb.Cli.Interop;

/// <summary>
/// The libc calls the labs and the tour make themselves, compiled into this assembly alone
/// (as dotnet/runtime compiles its <c>Interop.Sys</c> into each library that needs it). The
/// experiments' mmap, madvise and sbrk are the experiments' own: they do not go through the
/// allocator's system-call layer, so the allocator's counters (<c>OsCounters</c>) hold only
/// the allocator's calls. Failures throw with errno, worded as the allocator's layer words them.
/// </summary>
internal static unsafe partial class Libc
{
    private const string Library = "libc";
    private const long SYS_brk = 12;
    private const long SYS_clock_gettime = 228;

    /// <summary>PROT_READ | PROT_WRITE.</summary>
    public const int PROT_READWRITE = 0x1 | 0x2;
    /// <summary>MAP_PRIVATE: copy-on-write, private to this process.</summary>
    public const int MAP_PRIVATE = 0x02;
    /// <summary>MAP_ANONYMOUS: not backed by a file; pages start zeroed.</summary>
    public const int MAP_ANONYMOUS = 0x20;
    /// <summary>MADV_NORMAL: no special treatment (with a null range, a no-op call).</summary>
    public const int MADV_NORMAL = 0;
    /// <summary>MADV_DONTNEED: drop the pages now.</summary>
    public const int MADV_DONTNEED = 4;
    /// <summary>MADV_FREE: the kernel may reclaim the pages lazily (missing on old kernels).</summary>
    public const int MADV_FREE = 8;

    [LibraryImport(Library, EntryPoint = "mmap", SetLastError = true)]
    private static partial nint mmap(nint addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Library, EntryPoint = "munmap", SetLastError = true)]
    private static partial int munmap(nint addr, nuint length);

    [LibraryImport(Library, EntryPoint = "madvise", SetLastError = true)]
    private static partial int madvise(nint addr, nuint length, int advice);

    [LibraryImport(Library, EntryPoint = "sbrk", SetLastError = true)]
    private static partial nint sbrk(nint increment);

    // syscall(2) is variadic in C; on x86-64 integer arguments pass the same way either way.
    [LibraryImport(Library, EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall1(long number, nint a1);

    [LibraryImport(Library, EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall2(long number, nint a1, nint a2);

    /// <summary>getauxval(3): a value from the auxiliary vector, 0 when absent.</summary>
    [LibraryImport(Library, EntryPoint = "getauxval")]
    public static partial nuint getauxval(nuint type);

    /// <summary>mmap(2); throws on failure.</summary>
    public static nint Map(nuint length, int prot, int flags, int fd = -1)
    {
        nint p = mmap(0, length, prot, flags, fd, 0);
        if (p == -1) throw Failure("mmap");
        return p;
    }

    /// <summary>Fresh, zeroed, private read-write memory.</summary>
    public static nint MapAnonymous(nuint length) => Map(length, PROT_READWRITE, MAP_PRIVATE | MAP_ANONYMOUS);

    /// <summary>munmap(2); throws on failure.</summary>
    public static void Unmap(nint address, nuint length)
    {
        if (munmap(address, length) != 0) throw Failure("munmap");
    }

    /// <summary>madvise(2); throws on failure.</summary>
    public static void Advise(nint address, nuint length, int advice)
    {
        if (madvise(address, length, advice) != 0) throw Failure("madvise");
    }

    /// <summary>madvise(2) that returns false instead of throwing.</summary>
    public static bool TryAdvise(nint address, nuint length, int advice) => madvise(address, length, advice) == 0;

    /// <summary>sbrk(3) from libc: moves the break by <paramref name="increment"/> and returns the old break.</summary>
    public static nint Sbrk(nint increment)
    {
        nint old = sbrk(increment);
        if (old == -1) throw Failure("sbrk");
        return old;
    }

    /// <summary>The program break now: brk(2) itself with 0, which changes nothing.</summary>
    public static nint CurrentBreak => (nint)syscall1(SYS_brk, 0);

    /// <summary>clock_gettime(2) as a raw system call, bypassing the vDSO; the time in nanoseconds.</summary>
    public static long ClockGettimeSyscall(int clockId)
    {
        long* ts = stackalloc long[2];
        if (syscall2(SYS_clock_gettime, clockId, (nint)ts) != 0) throw Failure("clock_gettime");
        return ts[0] * 1_000_000_000L + ts[1];
    }

    private static IOException Failure(string call)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }
}
