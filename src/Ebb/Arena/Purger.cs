namespace Ebb.Arena;

/// <summary>
/// The background purge thread. Callers that freed may never allocate again, so purging
/// cannot wait for the next allocation: this thread sleeps until the oldest dirty slice
/// has waited the purge delay, purges what is due, sweeps abandoned pages, and sleeps
/// again; with nothing dirty it sleeps until woken. Started on first need.
/// </summary>
internal static class Purger
{
    private static readonly AutoResetEvent wake = new(false);
    private static Thread? thread;
    private static volatile bool sleepingIdle;

    /// <summary>Something may need purging or sweeping: make sure the thread runs and is not asleep for good.</summary>
    public static void Wake()
    {
        if (Arena.Options.PurgeDelayMs < 0 && Heap.Abandoned.Count == 0) return;
        if (thread == null)
        {
            lock (wake)
            {
                if (thread == null)
                {
                    var t = new Thread(Run) { IsBackground = true, Name = "ebb-purge" };
                    t.UnsafeStart();
                    thread = t;
                    return;
                }
            }
        }
        if (sleepingIdle) wake.Set();
    }

    private static void Run()
    {
        // An exception here would end the process with a runtime stack trace, on a thread the
        // program never started. None is expected (purging uses the non-throwing madvise), but
        // should the OS refuse something, one line says so and the program goes on unpurged.
        try { Loop(); }
        catch (Exception e) when (e is Os.OsException or InvalidOperationException)
        {
            Console.Error.WriteLine($"ebb: warning: the background purge stopped: {e.Message}");
        }
    }

    private static void Loop()
    {
        while (true)
        {
            int next;
            bool abandoned;
            lock (Arena.Gate)
            {
                next = Arena.Options.PurgeDelayMs < 0 ? -1 : Arena.Purge(all: false);
                abandoned = Heap.Abandoned.SweepLocked();
                Huge.ExpireCacheLocked();
                // Abandoned pages still holding blocks are looked at again later, on a slow beat.
                if (abandoned && (next < 0 || next > 1000)) next = 1000;
                // Set under the lock: a span freed after this sees it and wakes us.
                sleepingIdle = next < 0;
            }
            if (next < 0)
            {
                wake.WaitOne();
                sleepingIdle = false;
            }
            else
            {
                wake.WaitOne(Math.Max(next, 1));
            }
        }
    }
}
