namespace Ebb.Os;

/// <summary>
/// The libc entry points the core calls (mmap, munmap, mprotect, madvise, mremap, sbrk, syscall,
/// prctl, gettid, getpid, tgkill, clock_gettime) and <c>LastError</c>, the errno of the last one.
/// Each host declares the functions in its own part of this class, the way it binds native code:
/// the .NET host with LibraryImport (src/Ebb/DotNetHost/Native.cs), libebb.so with link-time DllImports
/// (src/Ebb.Native/NativeHost/Native.cs). Nothing here counts or checks: <see cref="OsMemory"/> does both.
/// </summary>
internal static unsafe partial class Native
{
    /// <summary>brk(2)'s system call number on x86-64.</summary>
    public const long SYS_brk = 12;
    /// <summary>clock_gettime(2)'s system call number on x86-64.</summary>
    public const long SYS_clock_gettime = 228;
    /// <summary>getrlimit's resource number of the address-space limit (<c>ulimit -v</c>), and its "no limit".</summary>
    public const int RLIMIT_AS = 9;
    /// <summary>RLIM_INFINITY.</summary>
    public const ulong RlimInfinity = ulong.MaxValue;

    /// <summary>prctl option and sub-option that name an anonymous mapping.</summary>
    public const int PR_SET_VMA = 0x53564d41, PR_SET_VMA_ANON_NAME = 0;
}
