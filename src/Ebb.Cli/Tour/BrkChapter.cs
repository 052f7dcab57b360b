using Ebb.Cli.Terminal;
using Ebb.Cli.Lab;
using System.Globalization;
using System.Text;

namespace Ebb.Cli.Tour;

/// <summary>The tour's brk chapter: <c>ebb lab brk</c>, run in a child process of ebb.</summary>
public sealed class BrkChapter : ITourChapter
{
    /// <inheritdoc/>
    public string Title => "brk: the program break, and why it cannot give back a hole";

    /// <inheritdoc/>
    public string Explanation =>
        "sbrk moves the program break, the end of the data segment; glibc's malloc grows its heap " +
        "with it. The kernel maps whole pages, and the break only shrinks from the top. Run in a " +
        "child process, which puts the break back:";

    /// <inheritdoc/>
    public void Run(TourContext context)
    {
        BrkFacts facts;
        using (context.Progress("moving the break in a child process"))
            facts = BrkLab.Measure();
        context.Out.Write(Brief(facts, context.Style));
    }

    /// <summary>The lab's facts in eight lines (<c>ebb lab brk</c> prints them in full).</summary>
    internal static string Brief(BrkFacts f, TextStyle s)
    {
        string H(ulong a) => LabFormat.Hex(a);
        string Span(string? line) => line?.Split(' ')[0] ?? "none";
        long freeBytes = (long)f.FreePages * f.PageSize;
        var sb = new StringBuilder();
        sb.AppendLine($"sbrk(0) = {s.Fact(H(f.BreakBefore))}; sbrk({f.Increment}) moves the break to {s.Fact(H(f.BreakAfter))} (+{f.BreakAfter - f.BreakBefore})");
        sb.AppendLine($"[heap] in maps: {Span(f.HeapLineBefore)}, then {Span(f.HeapLineAfter)}.");
        sb.AppendLine($"The kernel maps whole pages: ({H(f.BreakAfter)} + {f.PageSize - 1}) & ~{f.PageSize - 1} = {s.Fact(H(f.RoundedBreakAfter))}"
            + (f.HeapEndAfter == f.RoundedBreakAfter ? "." : s.Bad($", but [heap] ends at {H(f.HeapEndAfter)}!")));
        sb.AppendLine($"{f.FreePages + 1} pages more, all written; the bottom {f.FreePages} ({LabFormat.Bytes(freeBytes)}) freed, the top one live:");
        sb.AppendLine($"  brk gives back {s.Bad(LabFormat.Bytes(f.TopBreak - f.LowestBreakKeepingLive))}: the lowest break keeping the live page is the top;");
        sb.AppendLine($"  madvise(MADV_DONTNEED): resident {f.ResidentTouched} -> {s.Good(f.ResidentAfterMadvise.ToString(CultureInfo.InvariantCulture))} "
            + $"([heap] Rss {LabFormat.Kb(f.HeapRssTouchedKb)} -> {LabFormat.Kb(f.HeapRssAfterMadviseKb)}),");
        sb.AppendLine($"  the break still at {H(f.BreakAfterMadvise)}, the live page {(f.LiveValueIntact ? "intact" : s.Bad("LOST"))}.");
        sb.AppendLine(f.Restored ? $"The break was put back to {H(f.BreakBefore)}." : s.Bad("The break was left where it was: malloc moved it meanwhile."));
        return sb.ToString();
    }
}
