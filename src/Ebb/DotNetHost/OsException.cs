using System.Runtime.InteropServices;

namespace Ebb.DotNetHost;

/// <summary>
/// A system call failed. Carries the call's name and errno so a caller can tell
/// ENOMEM (out of memory) from EINVAL (a bad argument) without parsing text.
/// </summary>
internal sealed class OsException : Exception
{
    /// <summary>Creates the exception for <paramref name="call"/> failing with <paramref name="errno"/>.</summary>
    /// <param name="call">The system call or libc function that failed, e.g. <c>mmap</c>.</param>
    /// <param name="errno">The errno value the call left.</param>
    public OsException(string call, int errno)
        : base($"{call}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})")
    {
        Call = call;
        Errno = errno;
    }

    /// <summary>The name of the failing call, e.g. <c>mmap</c>.</summary>
    public string Call { get; }

    /// <summary>The errno value the call left (see errno(3)).</summary>
    public int Errno { get; }

    /// <summary>True when the kernel refused for lack of memory or address space (ENOMEM).</summary>
    public bool IsOutOfMemory => Errno == Errnos.ENOMEM;
}

/// <summary>The errno values the Os layer itself tests for (Linux x86-64 numbering).</summary>
internal static class Errnos
{
    /// <summary>Operation not permitted.</summary>
    public const int EPERM = 1;
    /// <summary>No such file or directory.</summary>
    public const int ENOENT = 2;
    /// <summary>No such process.</summary>
    public const int ESRCH = 3;
    /// <summary>Input/output error.</summary>
    public const int EIO = 5;
    /// <summary>Resource temporarily unavailable.</summary>
    public const int EAGAIN = 11;
    /// <summary>Cannot allocate memory.</summary>
    public const int ENOMEM = 12;
    /// <summary>Permission denied.</summary>
    public const int EACCES = 13;
    /// <summary>Bad address.</summary>
    public const int EFAULT = 14;
    /// <summary>Invalid argument.</summary>
    public const int EINVAL = 22;

    /// <summary>The symbolic name of <paramref name="errno"/> (<c>EINVAL</c>), or <c>errno N</c> for one not listed here.</summary>
    /// <param name="errno">An errno value.</param>
    /// <returns>The name.</returns>
    public static string Name(int errno) => errno switch
    {
        EPERM => "EPERM",
        ENOENT => "ENOENT",
        ESRCH => "ESRCH",
        EIO => "EIO",
        EAGAIN => "EAGAIN",
        ENOMEM => "ENOMEM",
        EACCES => "EACCES",
        EFAULT => "EFAULT",
        EINVAL => "EINVAL",
        _ => $"errno {errno}",
    };
}
