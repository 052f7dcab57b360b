namespace Ebb.Proc.Free;

/// <summary>
/// Derives <see cref="FreeFigures"/> from meminfo exactly as procps-ng 4.0.2's
/// <c>library/meminfo.c</c> (<c>meminfo_read_failed</c>) does, fallbacks included.
/// All arithmetic is unsigned and wraps, as procps's <c>unsigned long</c> does.
/// </summary>
public static class FreeCalculator
{
    /// <summary>Computes the figures for one meminfo snapshot.</summary>
    /// <param name="m">The parsed meminfo.</param>
    public static FreeFigures Compute(Meminfo m)
    {
        ulong total = m["MemTotal"], free = m["MemFree"];

        // Kernels before 3.14 have no MemAvailable; procps then shows MemFree.
        ulong available = m["MemAvailable"];
        if (available == 0) available = free;
        // Inside an lxc container the host's MemAvailable can exceed the container's total.
        if (available > total) available = free;

        // procps keeps this one signed: if total - available is negative it falls back to
        // total - free. After the check above that can only happen when MemFree itself is
        // above MemTotal (then available is MemFree, and both give the same negative number),
        // which wraps when stored and prints as negative.
        long used = unchecked((long)(total - available));
        if (used < 0) used = unchecked((long)(total - free));

        ulong highTotal = m["HighTotal"], highFree = m["HighFree"];
        ulong lowTotal = m["LowTotal"], lowFree = m["LowFree"];
        // 64-bit kernels export no low/high split: all memory is "low".
        if (lowTotal == 0)
        {
            lowTotal = total;
            lowFree = free;
        }
        ulong swapTotal = m["SwapTotal"], swapFree = m["SwapFree"];

        return new FreeFigures
        {
            MemTotal = total,
            MemUsed = unchecked((ulong)used),
            MemFree = free,
            Shared = m["Shmem"],
            Buffers = m["Buffers"],
            Cache = unchecked(m["Cached"] + m["SReclaimable"]),
            Available = available,
            LowTotal = lowTotal,
            LowFree = lowFree,
            LowUsed = lowFree < lowTotal ? lowTotal - lowFree : 0,
            HighTotal = highTotal,
            HighFree = highFree,
            HighUsed = highFree < highTotal ? highTotal - highFree : 0,
            SwapTotal = swapTotal,
            SwapFree = swapFree,
            SwapUsed = swapFree < swapTotal ? swapTotal - swapFree : 0,
            CommitLimit = m["CommitLimit"],
            CommittedAs = m["Committed_AS"],
        };
    }
}
