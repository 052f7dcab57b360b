using System.Diagnostics;
using Ebb.Os;

namespace Ebb.Heap;

/// <summary>
/// Heaps of threads that have ended, found without a GC. The native thread-exit hook
/// (native/ebb_thread.c: a pthread key whose destructor runs as each watched thread exits) pushes
/// the dying thread's heap onto a lock-free list and raises the purge thread's wake-up. A new
/// thread takes the most recently dead heap over whole (<see cref="TryTake"/>): its pages, with
/// their free lists and the live blocks other threads still hold, stay where they are, so a
/// thread pool that replaces threads keeps reusing the same pages instead of taking fresh ones.
/// A heap no thread took within the hold time (the purge delay) is given up by the purge thread
/// (<see cref="ReleaseDueLocked"/>): its pages go to the abandoned lists, to be adopted or, once
/// empty, returned. Without the native library the purge thread polls instead
/// (<see cref="Poll"/>): every <see cref="PollMs"/> it asks the kernel whether each thread with
/// a heap still exists (tgkill with signal 0), and a heap whose thread is gone goes the same way.
/// </summary>
internal static unsafe class DeadHeaps
{
    /// <summary>The hook's list (a cell in native memory the hook pushes onto with a CAS; taken whole with an exchange), or null without the hook.</summary>
    private static nint* s_incoming;

    /// <summary>Dead heaps not taken over yet, newest first, linked through <see cref="Heap.NextDead"/>. Under the arena lock.</summary>
    private static Heap* s_held;
    private static int s_heldCount;

    /// <summary>Without the hook: heaps of live threads, polled for their thread's end, linked through <see cref="Heap.NextDead"/>. Under the arena lock.</summary>
    private static Heap* s_polled;

    /// <summary>How often the purge thread polls thread ids when there is no hook.</summary>
    public const int PollMs = 100;
    private static int s_lastPoll;

    /// <summary>
    /// The host has a thread-exit hook that pushes a dying thread's heap onto <paramref name="cell"/>
    /// (with <see cref="Push"/>'s protocol: link through <see cref="Heap.NextDead"/>, CAS the head).
    /// Called once, before the first thread heap.
    /// </summary>
    public static void UseHook(nint* cell) => s_incoming = cell;

    /// <summary>Whether a thread-exit hook is in use (else thread ids are polled).</summary>
    public static bool Hooked => s_incoming != null;

    /// <summary>Pushes the heap of a thread that is exiting (called by the host's hook on that thread).</summary>
    public static void Push(Heap* h)
    {
        LockFreeList.Push(s_incoming, (nint)h, (nint*)&h->NextDead);
    }

    /// <summary>Makes the calling thread's exit hand <paramref name="h"/> here. False without a hook (the caller has the thread polled instead, <see cref="Poll"/>).</summary>
    public static bool Watch(Heap* h) => s_incoming != null && Arena.Host.WatchThreadExit(h);

    /// <summary>Without the hook: makes the purge thread poll for the end of the calling thread, which owns <paramref name="h"/>.</summary>
    public static void Poll(Heap* h)
    {
        h->KernelTid = ThreadProbe.CurrentId;
        using (Arena.ArenaLock.Hold())
        {
            h->NextDead = s_polled;
            s_polled = h;
        }
    }

    /// <summary>A dead thread's heap for the calling new thread to take over, or null.</summary>
    public static Heap* TryTake()
    {
        // Without the hook, a new thread polls too (at most once a millisecond), so that a pool
        // replacing threads faster than the purge thread's beat still reuses the dead ones' heaps.
        bool poll = s_incoming == null && s_polled != null && Arena.Arena.Now - Volatile.Read(ref s_lastPoll) >= 1;
        if (!poll && Volatile.Read(ref s_heldCount) == 0 && (s_incoming == null || Volatile.Read(ref *s_incoming) == 0)) return null;
        using (Arena.ArenaLock.Hold())
        {
            if (s_incoming != null) DrainLocked(Arena.Arena.Now);
            else if (poll) PollLocked(Arena.Arena.Now);
            Heap* h = s_held;
            if (h == null) return null;
            s_held = h->NextDead;
            s_heldCount--;
            h->NextDead = null;
            Debug.Assert(h->Kind == HeapKind.Thread);
            return h;
        }
    }

    /// <summary>
    /// Gives up the heaps that have waited <paramref name="holdMs"/> or more. Returns the ms until
    /// the next one is due, or -1 when none waits. Under the arena lock (the purge thread's beat).
    /// </summary>
    public static int ReleaseDueLocked(int holdMs)
    {
        int now = Arena.Arena.Now, next = -1;
        if (s_incoming != null) DrainLocked(now);
        else if (s_polled != null)
        {
            PollLocked(now);
            if (s_polled != null) next = PollMs;
        }
        Heap* prev = null;
        for (Heap* h = s_held; h != null;)
        {
            Heap* after = h->NextDead;
            int age = now - h->DiedAt;
            if (age >= holdMs)
            {
                if (prev == null) s_held = after; else prev->NextDead = after;
                s_heldCount--;
                h->NextDead = null;
                Abandoned.AbandonHeapLocked(h);
            }
            else
            {
                int wait = holdMs - age;
                if (next < 0 || wait < next) next = wait;
                prev = h;
            }
            h = after;
        }
        return next;
    }

    /// <summary>Moves the polled heaps whose thread has ended onto the held list, stamped with the time.</summary>
    private static void PollLocked(int now)
    {
        s_lastPoll = now;
        Heap* prev = null;
        for (Heap* h = s_polled; h != null;)
        {
            Heap* after = h->NextDead;
            if (ThreadProbe.HasEnded(h->KernelTid))
            {
                if (prev == null) s_polled = after; else prev->NextDead = after;
                HoldLocked(h, now);
            }
            else prev = h;
            h = after;
        }
    }

    /// <summary>Moves what the hook pushed onto the held list, stamped with the time it was found.</summary>
    private static void DrainLocked(int now)
    {
        Heap* list = (Heap*)Interlocked.Exchange(ref *s_incoming, 0);
        while (list != null)
        {
            Heap* next = list->NextDead;
            HoldLocked(list, now);
            list = next;
        }
    }

    /// <summary>Puts a heap whose thread was found dead at <paramref name="now"/> at the head of the held list.</summary>
    private static void HoldLocked(Heap* h, int now)
    {
        h->DiedAt = now;
        h->NextDead = s_held;
        s_held = h;
        s_heldCount++;
    }
}
