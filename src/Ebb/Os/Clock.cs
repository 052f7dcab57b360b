namespace Ebb.Os;

/// <summary>The purge delay's clock: CLOCK_MONOTONIC_COARSE (the vDSO answers it without a system call, to the kernel's tick), in milliseconds.</summary>
internal static unsafe class Clock
{
    private const int CLOCK_MONOTONIC_COARSE = 6;

    /// <summary>Milliseconds since boot, truncated to an int: callers only subtract two readings (wraps after 24 days, harmlessly for differences).</summary>
    public static int NowMs
    {
        get
        {
            Timespec ts;
            Native.clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
            return (int)(ts.Seconds * 1000 + ts.Nanoseconds / 1_000_000);
        }
    }
}
