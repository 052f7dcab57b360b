using Ebb.Cli.Terminal;
using Ebb.Cli.Lab;
using System.Text;

namespace Ebb.Cli.Tour;

/// <summary>The tour's mmap chapter: <c>ebb lab mmap</c> and <c>ebb lab threshold</c> on this process.</summary>
public sealed class MmapChapter : ITourChapter
{
    /// <inheritdoc/>
    public string Title => "mmap: 20 bytes asked, a whole page given; malloc's mmap threshold";

    /// <inheritdoc/>
    public string Explanation =>
        "mmap gives whole pages: 5 ints (20 bytes) add a 4 KiB line to /proc/self/maps. glibc's " +
        "malloc maps only blocks from M_MMAP_THRESHOLD (128 KiB, then moving) up; Ebb maps large " +
        "chunks and cuts them up.";

    /// <inheritdoc/>
    public void Run(TourContext context)
    {
        context.Out.Write(Brief(MmapExperiment.Measure(), context.Style));
        context.Out.Write(Table(ThresholdExperiment.Measure(), context.Style));
    }

    /// <summary>The mmap lab's facts in four lines (<c>ebb lab mmap</c> prints them in full).</summary>
    internal static string Brief(MmapFacts f, TextStyle s)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"mmap(NULL, {f.Asked}, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = {LabFormat.Hex(f.Address)}");
        // A page that merged into a neighbouring line has no line of its own to show.
        sb.AppendLine(f.NewBytes > 0
            ? $"  new in maps: {f.NewStart:x}-{f.NewEnd:x}, {s.Fact($"{f.NewBytes} bytes")} for the {f.Asked} asked;"
            : $"  in maps: {f.LineAfter?.Split(' ')[0] ?? "(no line!)"}, merged with a neighbour;");
        sb.AppendLine($"  the ints read back {string.Join(", ", f.Values)}, and the page's last int holds {f.LastIntOfPage} too");
        sb.AppendLine($"munmap({LabFormat.Hex(f.Address)}, {f.Asked}): {(f.LineAfterUnmap is null ? "the page is gone from maps" : s.Bad("a line still holds the address"))}");
        return sb.ToString();
    }

    /// <summary>
    /// The threshold lab as one table, a row per size: where malloc put it, where malloc put
    /// it again after the first round was freed, and where Ebb put it (<c>ebb lab threshold</c>
    /// prints every address).
    /// </summary>
    internal static string Table(ThresholdFacts f, TextStyle s)
    {
        static string Where(Placement p) => p.OwnMapping ? "own mapping" : p.RegionName.StartsWith("[heap]", StringComparison.Ordinal) ? "[heap]" : "shared arena";
        string Cell(Placement? p) => p is null ? "" : p.OwnMapping ? s.Fact(Where(p).PadRight(15)) : Where(p).PadRight(15);
        bool ebb = f.Ebb.Length > 0;
        var sb = new StringBuilder();
        sb.AppendLine($"Where blocks of each size land, all live at once{(f.OnMainThread ? " (on the main thread)" : "")}:");
        sb.AppendLine($"  {"size",8}   {"malloc",-15}{"malloc again",-15}{(ebb ? "EbbMemory.Alloc" : "")}".TrimEnd());
        for (int i = 0; i < f.FirstRound.Length; i++)
        {
            var again = i < f.SecondRound.Length ? f.SecondRound[i] : null;
            var mine = i < f.Ebb.Length ? f.Ebb[i] : null;
            sb.AppendLine($"  {LabFormat.Bytes(f.FirstRound[i].Size),8}   {Cell(f.FirstRound[i])}{Cell(again)}{Cell(mine)}".TrimEnd());
        }
        sb.AppendLine($"malloc maps from {s.Fact(LabFormat.Bytes(ThresholdFacts.Switch(f.FirstRound)))} up, and after the frees from "
            + $"{s.Fact(LabFormat.Bytes(ThresholdFacts.Switch(f.SecondRound)))} up: freeing");
        sb.AppendLine("a mapped block raised M_MMAP_THRESHOLD to its size (up to 32 MiB).");
        if (ebb)
            sb.AppendLine($"Ebb's line does not move: own mappings from {s.Fact(LabFormat.Bytes(ThresholdFacts.Switch(f.Ebb)))} up, "
                + "below that 32 MiB chunks.");
        return sb.ToString();
    }
}
