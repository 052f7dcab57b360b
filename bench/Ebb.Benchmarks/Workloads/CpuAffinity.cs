using System.Runtime.InteropServices;

namespace Ebb.Benchmarks.Workloads;

/// <summary>
/// Pins a thread to one CPU (Linux sched_setaffinity). The producer/consumer benchmark puts its
/// two threads on two different CPUs: left to the scheduler, the pair sometimes shared one CPU
/// and took turns a ring-full at a time (about half the time per block of two CPUs handing every
/// block across), so a run's figure depended on where the threads landed more than on the
/// allocator. The same placement for every contender.
/// </summary>
public static unsafe partial class CpuAffinity
{
    /// <summary>
    /// The <paramref name="index"/>-th CPU (from 0) this process may run on, or -1 when it may
    /// run on fewer than <paramref name="needed"/> CPUs (then nothing is pinned) or the set cannot be read.
    /// </summary>
    public static int Pick(int index, int needed)
    {
        if (!OperatingSystem.IsLinux()) return -1;
        ulong* mask = stackalloc ulong[16];
        if (sched_getaffinity(0, 16 * sizeof(ulong), mask) != 0) return -1;
        var cpus = new List<int>();
        for (int i = 0; i < 16 * 64; i++)
            if ((mask[i >> 6] & (1UL << (i & 63))) != 0) cpus.Add(i);
        return cpus.Count >= needed && index < cpus.Count ? cpus[index] : -1;
    }

    /// <summary>Pins the calling thread to <paramref name="cpu"/> (nothing when negative); false when the OS refuses.</summary>
    public static bool PinCurrentThread(int cpu)
    {
        if (cpu < 0 || !OperatingSystem.IsLinux()) return false;
        ulong* mask = stackalloc ulong[16];
        for (int i = 0; i < 16; i++) mask[i] = 0;
        mask[cpu >> 6] = 1UL << (cpu & 63);
        return sched_setaffinity(0, 16 * sizeof(ulong), mask) == 0;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_getaffinity(int pid, nuint size, ulong* mask);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_setaffinity(int pid, nuint size, ulong* mask);
}
