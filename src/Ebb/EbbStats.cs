using System.Globalization;
using System.Text;
using Ebb.Os;

namespace Ebb;

/// <summary>One size class's figures in an <see cref="EbbStats"/> snapshot.</summary>
/// <param name="BlockSize">Bytes per block.</param>
/// <param name="Pages">Pages of this class in use.</param>
/// <param name="BlocksInUse">Blocks handed out and not yet freed (a remote free counts once its page's owner collected it; for a page
/// another live thread allocates from, the blocks it has not handed out yet from its current free list count too, since only that
/// thread may walk the list).</param>
/// <param name="BlockCapacity">Blocks those pages hold in all.</param>
public sealed record EbbSizeClassStats(long BlockSize, long Pages, long BlocksInUse, long BlockCapacity);

/// <summary>The allocator's figures at one moment (see <see cref="EbbMemory.GetStats"/>).</summary>
public sealed class EbbStats
{
    /// <summary>Address space Ebb holds: chunk regions, huge mappings, cached huge mappings.</summary>
    public long ReservedBytes { get; init; }

    /// <summary>Bytes in spans in use (chunk headers included) and in huge blocks.</summary>
    public long CommittedBytes { get; init; }

    /// <summary>
    /// Bytes that may be resident: committed plus free slices not purged yet. An upper
    /// bound (pages of a span never touched are not resident), cheap to keep, unlike mincore.
    /// </summary>
    public long ResidentBytes { get; init; }

    /// <summary>Bytes in free slices waiting for the purge delay.</summary>
    public long PendingPurgeBytes { get; init; }

    /// <summary>Bytes of blocks in use (block sizes, not requested sizes; as <see cref="EbbSizeClassStats.BlocksInUse"/> counts them).</summary>
    public long InUseBytes { get; init; }

    /// <summary>Blocks in use.</summary>
    public long InUseBlocks { get; init; }

    /// <summary>The highest <see cref="CommittedBytes"/> seen.</summary>
    public long PeakCommittedBytes { get; init; }

    /// <summary>Bytes given back with madvise so far.</summary>
    public long PurgedBytes { get; init; }

    /// <summary>madvise calls made to purge.</summary>
    public long PurgeCalls { get; init; }

    /// <summary>Huge blocks (each its own mapping) live.</summary>
    public long HugeBlocks { get; init; }

    /// <summary>Pages of dead threads not yet adopted or given back.</summary>
    public long AbandonedPages { get; init; }

    /// <summary>Chunks (32 MiB each) in the arena.</summary>
    public long Chunks { get; init; }

    /// <summary>Per size class with pages in use: block size, pages, blocks in use, capacity.</summary>
    public IReadOnlyList<EbbSizeClassStats> SizeClasses { get; init; } = [];

    /// <summary>The Os layer's per-call counts at the moment of the snapshot.</summary>
    public required OsCountersSnapshot Os { get; init; }

    /// <summary>The figures as text: one per line, the size classes as a table, then the system calls.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        void Line(string name, long bytes) =>
            sb.Append(CultureInfo.InvariantCulture, $"{name,-18}{bytes,16:N0} bytes  {Human(bytes),10}\n");
        sb.Append("ebb: allocator statistics\n");
        Line("reserved", ReservedBytes);
        Line("committed", CommittedBytes);
        Line("resident (max)", ResidentBytes);
        Line("pending purge", PendingPurgeBytes);
        Line("in use", InUseBytes);
        sb.Append(CultureInfo.InvariantCulture, $"{"blocks in use",-18}{InUseBlocks,16:N0}\n");
        Line("peak committed", PeakCommittedBytes);
        Line("purged", PurgedBytes);
        sb.Append(CultureInfo.InvariantCulture, $"{"purge calls",-18}{PurgeCalls,16:N0}\n");
        sb.Append(CultureInfo.InvariantCulture, $"{"huge blocks",-18}{HugeBlocks,16:N0}\n");
        sb.Append(CultureInfo.InvariantCulture, $"{"abandoned pages",-18}{AbandonedPages,16:N0}\n");
        sb.Append(CultureInfo.InvariantCulture, $"{"chunks",-18}{Chunks,16:N0}\n");
        if (SizeClasses.Count > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{"block size",12}{"pages",10}{"in use",12}{"capacity",12}\n");
            foreach (var c in SizeClasses)
                sb.Append(CultureInfo.InvariantCulture, $"{c.BlockSize,12}{c.Pages,10}{c.BlocksInUse,12}{c.BlockCapacity,12}\n");
        }
        sb.Append(Os.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
        return sb.ToString();
    }

    private static string Human(long bytes)
    {
        double v = bytes;
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        int u = 0;
        while (Math.Abs(v) >= 1024 && u < units.Length - 1) { v /= 1024; u++; }
        return u == 0 ? $"{bytes} B" : v.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[u];
    }
}
