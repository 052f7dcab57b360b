namespace Ebb.Proc.Watch;

/// <summary>
/// One sample of a process's resident set from /proc/PID/status, in kB as the kernel
/// writes it. The split (anonymous, file, shmem) is null on kernels older than 4.5,
/// which lack the RssAnon/RssFile/RssShmem lines.
/// </summary>
/// <param name="Elapsed">Time since the first sample of the watch.</param>
/// <param name="RssKb">VmRSS: everything resident.</param>
/// <param name="AnonKb">RssAnon: resident anonymous memory (heaps, stacks, Ebb's arenas).</param>
/// <param name="FileKb">RssFile: resident pages of mapped files (code, libraries, file mappings).</param>
/// <param name="ShmemKb">RssShmem: resident shared memory (tmpfs, SysV, shared anonymous).</param>
public sealed record RssSample(TimeSpan Elapsed, ulong RssKb, ulong? AnonKb, ulong? FileKb, ulong? ShmemKb)
{
    /// <summary>
    /// The sample in a parsed status file, or null when it has no VmRSS line (a kernel
    /// thread, or a process that has exited and is a zombie waiting for its parent).
    /// </summary>
    public static RssSample? FromStatus(ProcStatus status, TimeSpan elapsed) =>
        status.VmRSS is ulong rss ? new RssSample(elapsed, rss, status.RssAnon, status.RssFile, status.RssShmem) : null;
}
