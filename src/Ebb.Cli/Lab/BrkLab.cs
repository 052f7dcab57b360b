using Ebb.Cli.Terminal;
namespace Ebb.Cli.Lab;

/// <summary>
/// <c>ebb lab brk</c>: the program break moved by 128 bytes, <c>[heap]</c> rounded to a
/// page, and free pages under a live one that only madvise can give back.
/// </summary>
public sealed class BrkLab : ILabExperiment
{
    /// <inheritdoc/>
    public string Name => "brk";

    /// <inheritdoc/>
    public string Summary => "the program break: sbrk, [heap] rounded to pages, and what only madvise can give back";

    /// <inheritdoc/>
    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var o = LabOptions.Parse(Name, args);
        if (o.Help)
        {
            stdout.WriteLine("Usage: ebb lab brk [--json] [--strace] [--in-process]");
            stdout.WriteLine();
            stdout.WriteLine("Moves the program break by 128 bytes with sbrk and shows [heap] in /proc/self/maps");
            stdout.WriteLine("grow to the next page; then grows it by 257 pages, frees the 256 under the top one,");
            stdout.WriteLine("and shows brk cannot give them back while madvise(MADV_DONTNEED) can (RSS figures).");
            stdout.WriteLine("The break is shared with malloc, so this runs in a child process of ebb and puts the");
            stdout.WriteLine("break back exactly where it found it.");
            stdout.WriteLine();
            LabOptions.PrintCommonHelp(stdout, child: true);
            return 0;
        }
        if (o.Strace) return LabStrace.Run<BrkFacts>(Name, stdout, stderr, Addresses, (f, w) => Print(f, w, TextStyle.Plain));
        var facts = o.InProcess ? LabStrace.Marked(BrkExperiment.Measure) : Measure();
        if (o.Json) stdout.WriteLine(LabChild.ToJson(facts));
        else Print(facts, stdout, TextStyle.Plain);
        return 0;
    }

    /// <summary>Runs the experiment in a child process of ebb and returns its facts.</summary>
    public static BrkFacts Measure() => LabChild.Measure<BrkFacts>("brk");

    /// <summary>The addresses strace lines must mention to belong to the experiment.</summary>
    internal static IEnumerable<ulong> Addresses(BrkFacts f) => [f.BreakBefore, f.BreakAfter, f.TopBreak, f.RegionStart];

    /// <summary>Prints the facts as the lab's report.</summary>
    public static void Print(BrkFacts f, TextWriter w, TextStyle s)
    {
        string H(ulong a) => LabFormat.Hex(a);
        w.WriteLine("The program break is the end of the data segment; glibc's malloc grows its main heap with it.");
        w.WriteLine($"  sbrk(0)    = {s.Fact(H(f.BreakBefore))}");
        w.WriteLine($"  sbrk({f.Increment})  moves it by {f.Increment} bytes (strace shows the system call: brk({H(f.BreakAfter)}))");
        w.WriteLine($"  sbrk(0)    = {s.Fact(H(f.BreakAfter))}   (+{f.BreakAfter - f.BreakBefore})");
        w.WriteLine("[heap] in /proc/self/maps:");
        w.WriteLine($"  before  {f.HeapLineBefore ?? "(none: the break had never moved)"}");
        w.WriteLine($"  after   {f.HeapLineAfter ?? "(none)"}");
        w.WriteLine($"  The kernel maps whole pages: ({H(f.BreakAfter)} + {f.PageSize - 1}) & ~{f.PageSize - 1} = "
            + $"{s.Fact(H(f.RoundedBreakAfter))}, and [heap] now ends at {s.Fact(H(f.HeapEndAfter))}"
            + (f.HeapEndAfter == f.RoundedBreakAfter ? "." : s.Bad(" (not the rounded break!)")));
        w.WriteLine($"  sbrk(-{f.Increment}) put the break back.");
        w.WriteLine();

        long freeBytes = (long)f.FreePages * f.PageSize;
        w.WriteLine("Free pages under a live one:");
        w.WriteLine($"  sbrk grew the break to {H(f.TopBreak)}: {f.FreePages + 1} pages from {H(f.RegionStart)}; every page written.");
        w.WriteLine($"    resident pages of the region: {s.Fact(f.ResidentTouched.ToString())}   ([heap] Rss {LabFormat.Kb(f.HeapRssTouchedKb)})");
        w.WriteLine($"  Now the bottom {f.FreePages} pages ({LabFormat.Bytes(freeBytes)}) are free, the top page is still in use.");
        w.WriteLine($"  brk can only move the top: the lowest break that keeps the live page is {H(f.LowestBreakKeepingLive)},");
        w.WriteLine($"  where it already is, so brk gives back {s.Bad(LabFormat.Bytes(f.TopBreak - f.LowestBreakKeepingLive))} of them.");
        w.WriteLine($"  madvise({H(f.RegionStart)}, {LabFormat.Bytes(freeBytes)}, MADV_DONTNEED):");
        w.WriteLine($"    resident pages of the region: {s.Good(f.ResidentAfterMadvise.ToString())}   ([heap] Rss {LabFormat.Kb(f.HeapRssAfterMadviseKb)}, "
            + $"{s.Good(Signed((long)f.HeapRssAfterMadviseKb - (long)f.HeapRssTouchedKb))} kB)");
        w.WriteLine($"    the break stays at {H(f.BreakAfterMadvise)}; the live page {(f.LiveValueIntact ? "still holds its data" : s.Bad("LOST its data"))}.");
        w.WriteLine(f.Restored
            ? $"  The break was put back to {H(f.BreakBefore)}."
            : s.Bad($"  The break was left where it was: malloc moved it meanwhile."));
    }

    private static string Signed(long n) => n >= 0 ? $"+{n}" : n.ToString();
}
