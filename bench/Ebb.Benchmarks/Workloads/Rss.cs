using Ebb.Proc;

namespace Ebb.Benchmarks.Workloads;

/// <summary>This process's resident memory, from /proc/self/status through Ebb.Proc's reader.</summary>
public static class Rss
{
    /// <summary>Resident anonymous memory (what allocators take from the OS), bytes.</summary>
    public static long Anon() => (long)(StatusParser.Read("self").RssAnon ?? throw new InvalidOperationException("no RssAnon in /proc/self/status")) * 1024;

    /// <summary>Peak resident set since start or since <see cref="ResetPeak"/>, bytes.</summary>
    public static long Peak() => (long)(StatusParser.Read("self").VmHWM ?? throw new InvalidOperationException("no VmHWM in /proc/self/status")) * 1024;

    /// <summary>Resident set, bytes.</summary>
    public static long Total() => (long)(StatusParser.Read("self").VmRSS ?? throw new InvalidOperationException("no VmRSS in /proc/self/status")) * 1024;

    /// <summary>Resets VmHWM to the current RSS (writing 5 to /proc/self/clear_refs, Linux 4.0+).</summary>
    public static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");
}
