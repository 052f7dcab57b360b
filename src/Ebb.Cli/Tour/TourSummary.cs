using Ebb.Os;

namespace Ebb.Cli.Tour;

/// <summary>
/// The tour's closing line: which system calls the allocator made on the way (its own counters;
/// the experiments' calls go through <see cref="Interop.Libc"/> and are not among them).
/// </summary>
internal static class TourSummary
{
    /// <summary>"12 mmap, 3 munmap, ..." for every kind of call made at least once; "none" if none.</summary>
    public static string Calls(OsCountersSnapshot used)
    {
        var parts = new List<string>();
        foreach (var kind in Enum.GetValues<OsCall>())
        {
            long n = used.Calls(kind);
            if (n > 0) parts.Add($"{n} {kind.ToString().ToLowerInvariant()}");
        }
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }
}
