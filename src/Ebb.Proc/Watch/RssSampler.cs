using System.Diagnostics;

namespace Ebb.Proc.Watch;

/// <summary>How a watch ended.</summary>
public enum WatchEnd
{
    /// <summary>Still running, or not started.</summary>
    None,
    /// <summary>The requested number of samples was taken.</summary>
    CountReached,
    /// <summary>The process exited (its /proc directory went away, or it became a zombie).</summary>
    ProcessExited,
    /// <summary>The caller cancelled (Ctrl-C).</summary>
    Cancelled,
}

/// <summary>
/// Samples a process's RSS and its anonymous/file/shmem split from /proc/PID/status at a
/// fixed interval. Samples are scheduled against the start (on multiples of the interval), so
/// slow reads do not make the watch drift; a slot missed entirely is skipped, not made up.
/// The sampler only computes; printing is the caller's, one sample at a time as they are yielded.
/// </summary>
/// <param name="pid">A process id, or <c>self</c>.</param>
/// <param name="procRoot">The procfs root; a saved tree for tests.</param>
public sealed class RssSampler(string pid, string procRoot = ProcPaths.DefaultRoot)
{
    /// <summary>The process watched.</summary>
    public string Pid { get; } = pid;

    /// <summary>How the last <see cref="Run"/> ended.</summary>
    public WatchEnd End { get; private set; }

    /// <summary>The command name from the latest status read (the <c>Name</c> line; it changes when the process execs).</summary>
    public string? ProcessName { get; private set; }

    /// <summary>
    /// Takes samples until <paramref name="count"/> have been taken (forever when null), the
    /// process exits, or <paramref name="cancel"/> fires; then <see cref="End"/> says which.
    /// </summary>
    /// <exception cref="ProcReadException">
    /// The first read failed (no such process, permission denied); or a later read failed for
    /// a reason other than the process going away.
    /// </exception>
    /// <exception cref="InvalidOperationException">The process has no memory of its own (a kernel thread).</exception>
    public IEnumerable<RssSample> Run(TimeSpan interval, int? count, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        if (count is int c) ArgumentOutOfRangeException.ThrowIfLessThan(c, 1);
        End = WatchEnd.None;
        var clock = Stopwatch.StartNew();
        long slot = 0; // the sample is due at slot × interval
        for (long taken = 0; ; taken++)
        {
            if (taken > 0)
            {
                // The next slot after the last one; when a read ran late past whole slots, skip them
                // rather than take a burst of samples to catch up.
                slot = Math.Max(slot + 1, (long)Math.Ceiling(clock.Elapsed / interval));
                var wait = interval * slot - clock.Elapsed;
                if (wait > TimeSpan.Zero && cancel.WaitHandle.WaitOne(wait)) { End = WatchEnd.Cancelled; yield break; }
                if (cancel.IsCancellationRequested) { End = WatchEnd.Cancelled; yield break; }
            }
            var sample = Take(clock.Elapsed, first: taken == 0);
            if (sample is null) { End = WatchEnd.ProcessExited; yield break; }
            yield return sample;
            if (count is int n && taken + 1 >= n) { End = WatchEnd.CountReached; yield break; }
        }
    }

    // One read of the status file; null when the process has gone (after the first sample).
    private RssSample? Take(TimeSpan elapsed, bool first)
    {
        ProcStatus status;
        try
        {
            status = StatusParser.Read(Pid, procRoot);
        }
        catch (ProcReadException e) when (!first && e.Kind is ProcReadErrorKind.NotFound or ProcReadErrorKind.ProcessExited
                                                 or ProcReadErrorKind.Truncated)
        {
            return null; // gone between two samples (a status cut short means it went mid-read)
        }
        ProcessName = status.Name ?? ProcessName;
        var sample = RssSample.FromStatus(status, elapsed);
        if (sample is null && first && status.State?.StartsWith('Z') != true)
            throw new InvalidOperationException($"process {Pid} has no memory of its own to watch (a kernel thread)");
        return sample;
    }
}
