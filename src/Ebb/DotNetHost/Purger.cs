using Ebb.Arena;

namespace Ebb.DotNetHost;

/// <summary>
/// The background purge thread. Callers that freed may never allocate again, so purging
/// cannot wait for the next allocation: this thread sleeps until the oldest dirty slice
/// has waited the purge delay, purges what is due, sweeps abandoned pages, gives up the heaps
/// of dead threads that no new thread took over, and sleeps again; with nothing to do it sleeps
/// until woken (by a span freed, a heap abandoned, or a watched thread's exit). Started on first need.
/// </summary>
internal static class Purger
{
    /// <summary>The thread's wake-up: an eventfd, so the native thread-exit hook can raise it too.</summary>
    public static readonly Wakeup Signal = new();
    private static Thread? s_thread;
    private static volatile bool s_sleepingIdle;

    /// <summary>Something may need purging or sweeping: make sure the thread runs and is not asleep for good.</summary>
    public static void Wake()
    {
        if (!Heap.Housekeeping.Wanted) return;
        if (s_thread == null && Start()) return;
        if (s_sleepingIdle) Signal.Set();
    }

    /// <summary>Makes sure the thread runs (a watched thread's exit must find it there).</summary>
    public static void EnsureStarted()
    {
        if (s_thread == null) Start();
    }

    /// <summary>Starts the thread unless another caller just did; returns whether this call started it.</summary>
    private static bool Start()
    {
        lock (Signal)
        {
            if (s_thread != null) return false;
            var t = new Thread(Run) { IsBackground = true, Name = "ebb-purge" };
            t.UnsafeStart();
            s_thread = t;
            return true;
        }
    }

    private static void Run()
    {
        // An exception here would end the process with a runtime stack trace, on a thread the
        // program never started. None is expected (purging uses the non-throwing madvise), but
        // should the OS refuse something, one line says so and the program goes on unpurged.
        Startup.RunBackgroundStart();
        try { Loop(); }
        catch (Exception e) when (e is Ebb.DotNetHost.OsException or InvalidOperationException)
        {
            Console.Error.WriteLine($"ebb: warning: the background purge stopped: {e.Message}");
        }
    }

    private static void Loop()
    {
        while (true)
        {
            int next;
            using (ArenaLock.Hold())
            {
                next = Heap.Housekeeping.RunLocked();
                // Set under the lock: a span freed after this sees it and wakes us.
                s_sleepingIdle = next < 0;
            }
            Signal.Wait(next < 0 ? -1 : Math.Max(next, 1));
            s_sleepingIdle = false;
        }
    }
}
