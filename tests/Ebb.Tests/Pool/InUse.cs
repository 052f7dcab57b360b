namespace Ebb.Tests.Pool;

/// <summary>
/// Ebb's in-use bytes once they have settled: a block freed by another thread counts as in use
/// until its page's owner collects it, and a dead thread's heap until it is taken over or given
/// up (after the purge delay), so a reading right after cross-thread frees runs ahead of the truth.
/// </summary>
internal static class InUse
{
    /// <summary>Trims and reads until two readings 50 ms apart agree (at most about 3 s).</summary>
    public static long Settled()
    {
        long last = Read();
        for (int i = 0; i < 60; i++)
        {
            Thread.Sleep(50);
            long now = Read();
            if (now == last) return now;
            last = now;
        }
        return last;
    }

    /// <summary>Waits (at most about 5 s) for the in-use bytes to be at most <paramref name="limit"/>; returns the last reading.</summary>
    public static long WaitForAtMost(long limit)
    {
        long now = Read();
        for (int i = 0; i < 100 && now > limit; i++)
        {
            Thread.Sleep(50);
            now = Read();
        }
        return now;
    }

    private static long Read()
    {
        EbbMemory.Trim();
        return EbbMemory.GetStats().InUseBytes;
    }
}
