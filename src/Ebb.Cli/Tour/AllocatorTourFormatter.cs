using Ebb.Cli.Terminal;
using System.Globalization;
using System.Text;

namespace Ebb.Cli.Tour;

/// <summary>
/// Text of the allocator chapter: pure functions from the measured runs to lines, so the
/// wording is tested on fixed figures.
/// </summary>
public static class AllocatorTourFormatter
{
    /// <summary>At most this many of Ebb's mappings are listed; the rest are counted.</summary>
    public const int MaxRegionsShown = 6;

    private const double MiB = 1 << 20;

    // Lines stay within 80 columns (continuations indented): the tour is read on a terminal.

    /// <summary>The mmap half.</summary>
    public static string FormatMmap(MmapTourRun r, TextStyle style)
    {
        var sb = new StringBuilder();
        var b = r.Before;
        sb.AppendLine($"Before: RSS {Mib(b.Rss)} (anonymous {Mib(b.RssAnon)}), {b.Mappings} mappings, Ebb's: {Regions(b)}");
        double rate = r.AllocSeconds > 0 ? r.Blocks / r.AllocSeconds / 1e6 : 0;
        sb.AppendLine($"Allocated {Mib(r.Blocks * r.BlockSize)} in {r.Blocks.ToString("N0", CultureInfo.InvariantCulture)} blocks of {r.BlockSize} bytes with EbbMemory.Alloc");
        sb.AppendLine($"  ({r.AllocSeconds:0.00} s, {rate:0.0} million blocks/s, page faults included):");
        var a = r.AfterAlloc;
        sb.AppendLine($"  RSS {Mib(a.Rss)} ({style.Fact(Delta(a.Rss - b.Rss))}), {a.Mappings} mappings ({Signed(a.Mappings - b.Mappings)}), Ebb's: {Regions(a)}");
        AppendRegions(sb, a, b, style);
        var f = r.AfterFree;
        sb.AppendLine($"Freed every block: RSS {Mib(f.Rss)} still; pages wait {r.PurgeDelayMs} ms (the purge delay)");
        sb.AppendLine("  in case they are wanted again, then a background thread gives them back.");
        var p = r.AfterPurge;
        long over = p.RssAnon - b.RssAnon;
        string verdict = over <= AllocatorTourRun.BackWithin ? style.Good($"back to {Delta(over)} over the start") : style.Bad($"still {Delta(over)} over the start");
        sb.AppendLine($"After {r.PurgeSeconds:0.00} s, no call: RSS {Mib(p.Rss)}, {verdict};");
        sb.AppendLine($"  {p.Mappings} mappings, Ebb's: {Regions(p)}");
        sb.AppendLine($"Ebb's system calls: while freeing {Calls(r.FreeCalls)};");
        sb.AppendLine($"  after, in the background: {Calls(r.PurgeCalls)}.");
        return sb.ToString();
    }

    /// <summary>The brk half.</summary>
    public static string FormatBrk(BrkTourRun r, TextStyle style)
    {
        var sb = new StringBuilder();
        var b = r.Before;
        sb.AppendLine($"Before: break 0x{b.Break:x}, RSS {Mib(b.Rss)}");
        var a = r.AfterAlloc;
        sb.AppendLine($"Allocated {Mib(r.Blocks * r.BlockSize)} in {r.BlockSize}-byte blocks: break 0x{a.Break:x} ({style.Fact(MoveText(a.Break, b.Break))}),");
        sb.AppendLine($"  RSS {Mib(a.Rss)} ({Delta(a.Rss - b.Rss)})");
        var w = r.AfterFreeBelow;
        string breakNow = w.Break == a.Break ? style.Bad("the break did not move") : $"the break moved to 0x{w.Break:x} ({MoveText(w.Break, a.Break)})";
        sb.AppendLine($"Freed all but the newest block, at the top of the heap: {breakNow};");
        sb.AppendLine($"  after {r.BelowSeconds:0.00} s RSS is {Mib(w.Rss)} ({Delta(w.Rss - b.Rss)} over the start),");
        sb.AppendLine($"  given back by {r.BelowCalls.Madvise} madvise calls ({Mib(r.BelowCalls.MadviseBytes)}), not by the break.");
        var t = r.AfterFreeTop;
        string topText = t.Break < w.Break
            ? style.Good($"the break came down to 0x{t.Break:x} ({MoveText(t.Break, w.Break)})") + $" after {r.TopSeconds:0.00} s"
            : $"the break stayed at 0x{t.Break:x}\n  (after {r.TopSeconds:0.00} s: the thread still holds a page up there)";
        sb.AppendLine($"Freed that last block too: {topText}; RSS {Mib(t.Rss)}.");
        if (t.Break >= w.Break)
        {
            var m = r.AfterTrim;
            string trimText = m.Break < w.Break
                ? style.Good($"the break came down to 0x{m.Break:x} ({MoveText(m.Break, w.Break)})")
                : style.Bad($"the break stayed at 0x{m.Break:x}:\n  something above Ebb's chunks (glibc's own malloc) holds the top");
            sb.AppendLine($"EbbMemory.Trim(): {trimText}; RSS {Mib(m.Rss)}.");
        }
        sb.AppendLine("One live block at the top pins everything below it, and only madvise can give");
        sb.AppendLine("those pages back: that is why Ebb takes its pages from mmap by default.");
        return sb.ToString();
    }

    private static void AppendRegions(StringBuilder sb, MemoryPoint after, MemoryPoint before, TextStyle style)
    {
        var old = new HashSet<(ulong, ulong)>(before.EbbRegions.Select(e => (e.Start, e.End)));
        int shown = 0;
        foreach (var e in after.EbbRegions)
        {
            if (shown == MaxRegionsShown) break;
            string mark = old.Contains((e.Start, e.End)) ? "<- ebb" : "<- ebb (new)";
            string name = e.Name.Length == 0 ? "(anonymous)" : e.Name;
            sb.AppendLine($"    {e.Start:x12}-{e.End:x12} {e.PermissionsText} {Mib((long)e.Size),10} {name}  {style.Fact(mark)}");
            shown++;
        }
        if (after.EbbRegions.Count > shown) sb.AppendLine($"    ... and {after.EbbRegions.Count - shown} more of Ebb's mappings");
    }

    private static string Regions(MemoryPoint p) =>
        p.EbbRegions.Count == 0 ? "none" : $"{p.EbbRegions.Count} {(p.EbbRegions.Count == 1 ? "region" : "regions")} ({Mib(p.EbbBytes)})";

    private static string Calls(OsCallCounts c)
    {
        var parts = new List<string>();
        parts.Add($"{c.Madvise} madvise ({Mib(c.MadviseBytes)})");
        parts.Add($"{c.Munmap} munmap ({Mib(c.MunmapBytes)})");
        return string.Join(", ", parts);
    }

    private static string MoveText(ulong now, ulong was) =>
        now >= was ? $"up {Mib((long)(now - was))}" : $"down {Mib((long)(was - now))}";

    /// <summary>Bytes as MiB with one decimal.</summary>
    public static string Mib(long bytes) => (bytes / MiB).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

    private static string Delta(long bytes) => (bytes >= 0 ? "+" : "-") + Mib(Math.Abs(bytes));

    private static string Signed(int n) => n >= 0 ? $"+{n}" : n.ToString(CultureInfo.InvariantCulture);
}
