namespace Ebb.Cli;

/// <summary>
/// The address ranges Ebb's allocator owns in this process, for marking them in pictures
/// (the kernel here cannot name mappings: CONFIG_ANON_VMA_NAME is off, so no <c>[anon:ebb]</c>).
/// </summary>
internal static class EbbRanges
{
    /// <summary>Ebb's ranges now (start, end), sorted; empty until the allocator can tell.</summary>
    public static List<(ulong Start, ulong End)> Snapshot() => [];

    /// <summary>Whether any of <paramref name="owned"/> overlaps [start, end).</summary>
    public static bool Covers(List<(ulong Start, ulong End)> owned, ulong start, ulong end) =>
        owned.Any(o => o.Start < end && start < o.End);
}
