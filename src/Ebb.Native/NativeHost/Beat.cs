using Ebb.Arena;
using Ebb.Heap;

namespace Ebb.NativeHost;

/// <summary>
/// libebb.so's purge beat without a thread of its own (mimalloc's way): when something waits
/// (free slices for the purge delay, dead heaps, abandoned pages), the time it is due is noted,
/// and the allocator's later slow paths run <see cref="Housekeeping"/> once it has come. With
/// EBB_BACKGROUND_PURGE=1 the shim's thread runs <see cref="RunFromThread"/> instead (jemalloc's
/// background_thread).
/// </summary>
internal static class Beat
{
    /// <summary>When housekeeping is next due (ms, <see cref="Arena.Arena.Now"/>); 0 when nothing waits.</summary>
    private static int s_due;

    /// <summary>Something now waits: make sure a beat comes (no later than the purge delay from now).</summary>
    public static void Schedule()
    {
        if (Volatile.Read(ref s_due) != 0) return;
        int delay = Settings.PurgeDelayMs > 0 ? Settings.PurgeDelayMs : Settings.DefaultPurgeDelayMs;
        Volatile.Write(ref s_due, Arena.Arena.Now + delay | 1);
    }

    /// <summary>On a slow path: runs housekeeping when it is due (one clock read otherwise).</summary>
    public static void Tick()
    {
        int due = Volatile.Read(ref s_due);
        if (due == 0 || Arena.Arena.Now - due < 0) return;
        Run();
    }

    /// <summary>The background thread's beat: runs housekeeping, returns the ms to sleep (-1: until woken or a second).</summary>
    public static int RunFromThread() => Run();

    private static int Run()
    {
        int next;
        using (ArenaLock.Hold())
        {
            Volatile.Write(ref s_due, 0);
            next = Housekeeping.RunLocked();
            if (next >= 0) Volatile.Write(ref s_due, Arena.Arena.Now + next | 1);
        }
        return next;
    }
}
