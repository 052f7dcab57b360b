using Ebb.Arena;

namespace Ebb.Heap;

/// <summary>
/// The periodic work that frees do not do themselves, run by whatever the host uses as a beat
/// (the .NET host's purge thread; in libebb.so, later calls into the allocator, or its opt-in
/// background thread): purge the free slices that waited the purge delay, give up the heaps of
/// dead threads that no new thread took over, sweep abandoned pages, expire cached huge mappings.
/// </summary>
internal static class Housekeeping
{
    /// <summary>Does what is due. Returns the ms until more will be due, or -1 when nothing waits. The caller holds the arena lock.</summary>
    public static int RunLocked()
    {
        int next = Settings.PurgeDelayMs < 0 ? -1 : Arena.Arena.PurgeLocked(all: false);
        // Dead threads' heaps wait the purge delay for a new thread to take them over.
        int dead = DeadHeaps.ReleaseDueLocked(Settings.HoldDeadMs);
        bool abandoned = Abandoned.SweepLocked();
        int huge = Huge.ExpireCacheLocked();
        if (dead >= 0 && (next < 0 || dead < next)) next = dead;
        if (huge >= 0 && (next < 0 || huge < next)) next = huge;
        // Abandoned pages still holding blocks are looked at again later, on a slow beat.
        if (abandoned && (next < 0 || next > 1000)) next = 1000;
        return next;
    }

    /// <summary>Whether a beat could find work: slices to purge, or abandoned pages to sweep.</summary>
    public static bool Wanted => Settings.PurgeDelayMs >= 0 || Abandoned.Count != 0;
}
