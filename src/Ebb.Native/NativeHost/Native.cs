using System.Runtime.InteropServices;

namespace Ebb.Os;

/// <summary>
/// libebb.so's raw libc entry points, bound at link time (ILC's direct P/Invoke: a plain call, no
/// transition, no lazy binding). errno is read right after the call with __errno_location: nothing
/// runs in between. The same names as the .NET host's (src/Ebb/DotNetHost/Native.cs), which the core calls.
/// </summary>
internal static unsafe partial class Native
{
    private const string Libc = "libc";


    /// <summary>errno of the calling thread.</summary>
    public static int LastError => *__errno_location();

    [DllImport(Libc), SuppressGCTransition] private static extern int* __errno_location();
    [DllImport(Libc), SuppressGCTransition] public static extern nint mmap(nint addr, nuint length, int prot, int flags, int fd, long offset);
    [DllImport(Libc), SuppressGCTransition] public static extern int munmap(nint addr, nuint length);
    [DllImport(Libc), SuppressGCTransition] public static extern int mprotect(nint addr, nuint length, int prot);
    [DllImport(Libc), SuppressGCTransition] public static extern int madvise(nint addr, nuint length, int advice);
    [DllImport(Libc), SuppressGCTransition] public static extern nint mremap(nint oldAddress, nuint oldSize, nuint newSize, int flags, nint newAddress);
    [DllImport(Libc), SuppressGCTransition] public static extern nint sbrk(nint increment);
    [DllImport(Libc, EntryPoint = "syscall"), SuppressGCTransition] public static extern long syscall1(long number, nint a1);
    [DllImport(Libc), SuppressGCTransition] public static extern int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
    [DllImport(Libc), SuppressGCTransition] public static extern int gettid();
    [DllImport(Libc), SuppressGCTransition] public static extern int getpid();
    [DllImport(Libc), SuppressGCTransition] public static extern int tgkill(int tgid, int tid, int sig);
    [DllImport(Libc), SuppressGCTransition] public static extern int clock_gettime(int clockId, Timespec* ts);
    [DllImport(Libc), SuppressGCTransition] public static extern int getrlimit(int resource, ulong* limits);
}
