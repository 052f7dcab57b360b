namespace Ebb.Os;

/// <summary>Kernel thread ids: the calling thread's, and whether a thread of this process still exists (tgkill with signal 0).</summary>
internal static class ThreadProbe
{
    private const int ESRCH = 3;

    /// <summary>This process's id (the thread group's), read on first use.</summary>
    private static int Pid => s_pid != 0 ? s_pid : (s_pid = Native.getpid());
    private static int s_pid;

    /// <summary>The calling thread's kernel id.</summary>
    public static int CurrentId => Native.gettid();

    /// <summary>
    /// Whether thread <paramref name="tid"/> of this process has ended. A tid can be reused by a new
    /// thread after its owner ended, which only makes the answer "alive" for longer: never "ended"
    /// for a thread that runs.
    /// </summary>
    public static bool HasEnded(int tid) =>
        Native.tgkill(Pid, tid, 0) != 0 && Native.LastError == ESRCH;
}
