using Ebb.Cli.Terminal;
using System.Diagnostics;
using Ebb.Os;

namespace Ebb.Cli.Tour;

/// <summary>
/// <c>ebb tour</c>: the main job on defaults. Runs every chapter in order, each under a
/// heading with a sentence that says what the reader is looking at. A chapter that fails
/// is reported in one line and the tour goes on; the exit code then says so.
/// </summary>
public static class TourCommand
{
    // Chapters in reading order; each lives in its own file under Tour/.
    private static readonly ITourChapter[] s_chapters =
    [
        new FreeChapter(),
        new PmapChapter(),
        new VdsoChapter(),
        new BrkChapter(),
        new MmapChapter(),
        new MadviseChapter(),
        new AllocatorChapter(),
        new CheckedChapter(),
    ];

    private static readonly TimeSpan s_slowChapter = TimeSpan.FromSeconds(0.5);

    /// <summary>The chapters in reading order (for tests and <c>--list</c>).</summary>
    internal static IReadOnlyList<ITourChapter> All => s_chapters;

    /// <summary>Runs the tour.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var options = TourOptions.Parse(args);
        if (options.Help)
        {
            PrintHelp(stdout);
            return 0;
        }
        if (options.List)
        {
            foreach (var c in s_chapters) stdout.WriteLine($"{c.Name,-10} {c.Title}");
            return 0;
        }
        var chosen = Choose(options.Only);
        bool terminal = TourContext.IsTerminal(stdout);
        bool color = options.Color ?? (terminal && TourContext.ColorAllowedByEnvironment());
        var context = new TourContext(stdout, stderr, options.Rest) { Color = color, Interactive = terminal, FullPmap = options.FullPmap };
        var style = context.Style;

        var os = OsCounters.Snapshot();
        var total = Stopwatch.StartNew();
        int failed = 0;
        for (int i = 0; i < chosen.Count; i++)
        {
            var chapter = chosen[i];
            stdout.WriteLine();
            stdout.WriteLine(style.Heading($"== {i + 1}/{chosen.Count}  {chapter.Title} =="));
            foreach (var line in TextWrap.Wrap(chapter.Explanation, 78)) stdout.WriteLine(style.Dim(line));
            stdout.WriteLine();
            var watch = Stopwatch.StartNew();
            try
            {
                chapter.Run(context);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failed++;
                context.EndProgressLine();
                stdout.WriteLine(style.Bad($"chapter '{chapter.Name}' failed: {e.Message}"));
                stderr.WriteLine($"ebb tour: chapter '{chapter.Name}' failed: {CliException.FirstLine(e.Message)}");
            }
            context.EndProgressLine();
            // Only a slow chapter's time is worth a line; the closing line has the total.
            if (watch.Elapsed >= s_slowChapter) stdout.WriteLine(style.Dim($"({watch.Elapsed.TotalSeconds:0.0} s)"));
        }

        var used = OsCounters.Snapshot().Since(os);
        stdout.WriteLine();
        stdout.WriteLine(style.Heading("== end of the tour =="));
        // Wrapped for an 80-column terminal, as the chapters' explanations are.
        foreach (var line in TextWrap.Wrap($"{chosen.Count} chapter{(chosen.Count == 1 ? "" : "s")} in {total.Elapsed.TotalSeconds:0.0} s; "
            + $"the allocator's system calls on the way: {TourSummary.Calls(used)}.", 78))
            stdout.WriteLine(line);
        foreach (var line in TextWrap.Wrap("Next: 'ebb map self -o map.html' draws an address space; "
            + "'ebb lab NAME --strace' shows an experiment's system calls.", 78))
            stdout.WriteLine(style.Dim(line));
        if (failed > 0) stdout.WriteLine(style.Bad($"{failed} chapter(s) failed; see above."));
        return failed > 0 ? 1 : 0;
    }

    private static List<ITourChapter> Choose(IReadOnlyList<string> only)
    {
        if (only.Count == 0) return [.. s_chapters];
        var chosen = new List<ITourChapter>();
        foreach (var name in only)
        {
            var c = s_chapters.FirstOrDefault(c => c.Name == name)
                ?? throw new CliException($"ebb tour: no chapter '{name}' (try 'ebb tour --list')");
            chosen.Add(c);
        }
        return chosen;
    }

    private static void PrintHelp(TextWriter w)
    {
        w.WriteLine("Usage: ebb tour [--no-color|--color] [--chapter NAME[,NAME...]] [--list] [--full-pmap]");
        w.WriteLine();
        w.WriteLine("A guided run through ebb's tools and experiments, on this process itself:");
        w.WriteLine("free, pmap, the vDSO, brk, mmap, madvise, the allocator, and a checked run.");
        w.WriteLine();
        w.WriteLine("Options:");
        w.WriteLine("  --no-color        never colour the output (also: NO_COLOR set, or not a terminal)");
        w.WriteLine("  --color           colour the output even when it is not a terminal");
        w.WriteLine("  --chapter NAMES   run only these chapters, in the order given");
        w.WriteLine("  --list            list the chapters and exit");
        w.WriteLine("  --full-pmap       the pmap chapter prints every mapping (pmap -x), not a summary");
        w.WriteLine("  -h, --help        show this help");
    }
}
