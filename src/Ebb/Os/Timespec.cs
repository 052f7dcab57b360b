using System.Runtime.InteropServices;

namespace Ebb.Os;

/// <summary>struct timespec on x86-64: seconds and nanoseconds, both 64-bit.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Timespec
{
    /// <summary>Whole seconds.</summary>
    public long Seconds;
    /// <summary>Nanoseconds within the second, 0 to 999,999,999.</summary>
    public long Nanoseconds;
}
