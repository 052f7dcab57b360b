namespace Ebb.Cli;

/// <summary>
/// Marks which maps lines are Ebb's, asking the allocator (<see cref="EbbAddressSpace"/>):
/// the kernel here cannot name mappings (CONFIG_ANON_VMA_NAME is off, so no <c>[anon:ebb]</c>).
/// </summary>
internal static class EbbRanges
{
    /// <summary>Whether Ebb holds any part of [start, end) in this process.</summary>
    public static bool Covers(ulong start, ulong end) => EbbAddressSpace.Owned(start, end).Count > 0;
}
