using System.Runtime.InteropServices;

namespace Ebb.Os;

// The .NET host's part of Native (Os/Native.cs): LibraryImport, errno saved by the runtime (SetLastError).
internal static unsafe partial class Native
{
    private const string Libc = "libc";


    [LibraryImport(Libc, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint mmap(nint addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Libc, EntryPoint = "munmap", SetLastError = true)]
    public static partial int munmap(nint addr, nuint length);

    [LibraryImport(Libc, EntryPoint = "mprotect", SetLastError = true)]
    public static partial int mprotect(nint addr, nuint length, int prot);

    [LibraryImport(Libc, EntryPoint = "madvise", SetLastError = true)]
    public static partial int madvise(nint addr, nuint length, int advice);

    [LibraryImport(Libc, EntryPoint = "mremap", SetLastError = true)]
    public static partial nint mremap(nint oldAddress, nuint oldSize, nuint newSize, int flags, nint newAddress);

    [LibraryImport(Libc, EntryPoint = "sbrk", SetLastError = true)]
    public static partial nint sbrk(nint increment);

    // syscall(2) is variadic in C; on x86-64 integer arguments pass the same way either way.
    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    public static partial long syscall1(long number, nint a1);

    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    public static partial long syscall2(long number, nint a1, nint a2);

    [LibraryImport(Libc, EntryPoint = "prctl", SetLastError = true)]
    public static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    public const int EFD_CLOEXEC = 0x80000;
    public const int EFD_NONBLOCK = 0x800;
    public const short POLLIN = 1;

    [LibraryImport(Libc, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int eventfd(uint initval, int flags);

    [LibraryImport(Libc, EntryPoint = "poll", SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint nfds, int timeout);

    [LibraryImport(Libc, EntryPoint = "read", SetLastError = true)]
    public static partial nint read(int fd, void* buf, nuint count);

    [LibraryImport(Libc, EntryPoint = "write", SetLastError = true)]
    public static partial nint write(int fd, void* buf, nuint count);

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    public const int ESRCH = 3;

    [LibraryImport(Libc, EntryPoint = "gettid")]
    public static partial int gettid();

    [LibraryImport(Libc, EntryPoint = "getpid")]
    public static partial int getpid();

    [LibraryImport(Libc, EntryPoint = "tgkill", SetLastError = true)]
    public static partial int tgkill(int tgid, int tid, int sig);

    /// <summary>errno of the last call made with SetLastError (the runtime saves it before anything else can change it).</summary>
    public static int LastError => Marshal.GetLastPInvokeError();

    [LibraryImport(Libc, EntryPoint = "clock_gettime")]
    [SuppressGCTransition]
    public static partial int clock_gettime(int clockId, Timespec* ts);

    [LibraryImport(Libc, EntryPoint = "getrlimit")]
    [SuppressGCTransition]
    public static partial int getrlimit(int resource, ulong* limits);

    [LibraryImport(Libc, EntryPoint = "getauxval")]
    public static partial nuint getauxval(nuint type);
}
