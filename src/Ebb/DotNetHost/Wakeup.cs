using Ebb.Os;
namespace Ebb.DotNetHost;

/// <summary>
/// A wake-up signal one thread sleeps on and any thread, or native code with no managed state
/// (the thread-exit hook, as its thread dies), can raise: an eventfd. An AutoResetEvent would do
/// for managed callers only. Without an eventfd (the OS refused one), waits simply time out, so
/// a waiter that loops on a timeout still makes progress.
/// </summary>
internal sealed unsafe class Wakeup
{
    /// <summary>The eventfd, or -1.</summary>
    public int Fd { get; } = Native.eventfd(0, Native.EFD_CLOEXEC | Native.EFD_NONBLOCK);

    /// <summary>Raises the signal (it stays raised until the next wait takes it).</summary>
    public void Set()
    {
        if (Fd < 0) return;
        ulong one = 1;
        _ = Native.write(Fd, &one, sizeof(ulong));
    }

    /// <summary>Sleeps until the signal is raised or <paramref name="timeoutMs"/> passes (-1: no limit; without an eventfd, one second); takes the signal.</summary>
    public void Wait(int timeoutMs)
    {
        if (Fd < 0)
        {
            Thread.Sleep(timeoutMs < 0 ? 1000 : timeoutMs);
            return;
        }
        var pfd = new Native.PollFd { Fd = Fd, Events = Native.POLLIN };
        // EINTR or a timeout: either way the caller looks at its state again.
        if (Native.poll(&pfd, 1, timeoutMs) > 0)
        {
            ulong count;
            _ = Native.read(Fd, &count, sizeof(ulong));
        }
    }
}
