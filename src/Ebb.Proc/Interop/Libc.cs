using System.Runtime.InteropServices;

namespace Ebb.Proc;

/// <summary>
/// The few libc calls Ebb.Proc makes, compiled into this assembly alone (as dotnet/runtime
/// compiles its <c>Interop.Sys</c> into each library that needs it): the readers do not reach
/// into the allocator's system-call layer, whose calls are the allocator's own and are counted
/// as such.
/// </summary>
internal static unsafe partial class Libc
{
    private const string Library = "libc";

    /// <summary>SYS_clock_gettime on x86-64.</summary>
    public const long SYS_clock_gettime = 228;

    /// <summary>getauxval(3): a value from the auxiliary vector, 0 when absent.</summary>
    [LibraryImport(Library, EntryPoint = "getauxval")]
    public static partial nuint getauxval(nuint type);

    // syscall(2) is variadic in C; on x86-64 integer arguments pass the same way either way.
    [LibraryImport(Library, EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall2(long number, nint a1, nint a2);

    /// <summary>
    /// clock_gettime(2) as a raw system call, bypassing the vDSO, so the two can be timed
    /// against each other; the time in nanoseconds.
    /// </summary>
    /// <exception cref="IOException">The kernel refused the clock id.</exception>
    public static long ClockGettimeSyscall(int clockId)
    {
        Timespec ts;
        if (syscall2(SYS_clock_gettime, clockId, (nint)(&ts)) != 0) throw Failure("clock_gettime");
        return ts.Seconds * 1_000_000_000L + ts.Nanoseconds;
    }

    // The allocator's OsException wording, so that a failure reads the same as before.
    private static IOException Failure(string call)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }
}

/// <summary>struct timespec on x86-64: seconds and nanoseconds, both 64-bit.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Timespec
{
    /// <summary>Whole seconds.</summary>
    public long Seconds;
    /// <summary>Nanoseconds within the second, 0 to 999,999,999.</summary>
    public long Nanoseconds;
}
