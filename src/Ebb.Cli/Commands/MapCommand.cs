using Ebb.Cli.Terminal;
using Ebb.Proc.Map;
using Ebb.Proc;

namespace Ebb.Cli.Commands;

/// <summary>
/// <c>ebb map PID|self [-o FILE.svg|FILE.html] [--proc-root DIR]</c>: the address space as a
/// picture. Reading is Ebb.Proc's, drawing is <see cref="AddressSpaceSvg"/> and
/// <see cref="AddressSpaceHtml"/>; this class wires arguments, files and errors.
/// </summary>
public static unsafe class MapCommand
{
    /// <summary>Runs <c>ebb map ARGS</c>.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? pid = null, output = null, root = ProcPaths.DefaultRoot;
        bool json = false;
        var parser = new VerbOptions("map").Help()
            .MissingValue(name => $"{name} needs a value (try 'ebb map --help')")
            .Flag("--json", () => json = true)
            .Value("-o|--output", v => output = v)
            .Value("--proc-root", v => root = v);
        parser.Positional(a => pid = pid is null ? a : throw parser.Error($"one process at a time ('{pid}', then '{a}')"));
        if (!parser.Parse(args))
        {
            PrintHelp(stdout);
            return 0;
        }
        if (pid is null) throw new CliException("ebb map: which process? (ebb map PID|self -o FILE.svg|FILE.html)");
        pid = PidArgument.Parse(pid) ?? throw new CliException($"ebb map: '{pid}' is not a process id ({PidArgument.Spellings})");
        if (json && output is not null) throw new CliException("ebb map: --json writes to stdout; it takes no -o");
        if (output is not null && output != "-") OutputPath.Check("map", output, ".svg", ".html", ".htm");
        bool html = output is not null && output != "-" && Path.GetExtension(output).ToLowerInvariant() is ".html" or ".htm";

        List<MapRegion> regions;
        EbbRanges? ebb;
        if (pid == "self" && root == ProcPaths.DefaultRoot)
        {
            // ebb itself allocates nothing with Ebb: a small and a huge block make its arenas show.
            nint small = (nint)EbbMemory.Alloc(64 * 1024), huge = (nint)EbbMemory.Alloc(8 << 20);
            try
            {
                new Span<byte>((void*)small, 64 * 1024).Fill(1);
                new Span<byte>((void*)huge, 1 << 20).Fill(1);
                ebb = EbbRanges.OfSelf();
                regions = Read(pid, root, stderr, ebb);
            }
            finally
            {
                EbbMemory.Free((void*)small);
                EbbMemory.Free((void*)huge);
            }
        }
        else
        {
            // Another live process is asked over its diagnostics channel (a missing one is Read's error).
            ebb = root == ProcPaths.DefaultRoot && Directory.Exists(Path.Combine(root, pid)) ? EbbRanges.OfProcess(pid, stderr) : null;
            regions = Read(pid, root, stderr, ebb);
        }
        string title = Title(pid, root);
        if (json)
        {
            stdout.WriteLine(AddressSpaceJson.Format(title, regions, ebb?.Regions.Select(r => (r.Start, r.End, EbbRanges.Describe(r.Kind))).ToList()));
            return 0;
        }
        string text = html ? AddressSpaceHtml.Render(title, regions) : AddressSpaceSvg.Render(title, regions);
        if (output is null || output == "-")
        {
            stdout.Write(text);
            return 0;
        }
        OutputPath.Write("map", output, text);
        stdout.WriteLine($"ebb map: wrote {output}: {AddressSpaceSvg.Totals(regions, regions.All(r => r.Smaps is not null))}");
        return 0;
    }

    /// <summary>
    /// The regions of <paramref name="pid"/>: smaps when readable (for the resident parts),
    /// else maps alone with a one-line note. The lines that overlap Ebb's ranges
    /// (<paramref name="ebb"/>; for <c>self</c> when not given, asked of ebb's own allocator)
    /// are marked with the part of Ebb they hold.
    /// </summary>
    internal static List<MapRegion> Read(string pid, string root, TextWriter stderr, EbbRanges? ebb = null)
    {
        if (ebb is null && pid == "self" && root == ProcPaths.DefaultRoot) ebb = EbbRanges.OfSelf();
        MapRegion Region(MapEntry m, SmapsEntry? s) => ebb?.PartOf(m.Start, m.End) is { } part ? new MapRegion(m, s, true, part) : new MapRegion(m, s);
        ProcReadException? smapsError;
        try
        {
            var smaps = SmapsParser.Read(pid, root);
            return [.. smaps.Select(s => Region(s.Map, s))];
        }
        catch (ProcReadException e)
        {
            smapsError = e;
        }
        List<MapEntry> maps;
        try
        {
            maps = MapsParser.Read(pid, root);
        }
        catch (ProcReadException e)
        {
            throw Failure(pid, e);
        }
        // The process is there but its smaps is not readable (another user's, or a saved tree without it).
        stderr.WriteLine($"ebb map: {smapsError.Message}; drawing from maps, without resident sizes");
        return [.. maps.Select(m => Region(m, null))];
    }

    private static CliException Failure(string pid, ProcReadException e) => e.Kind switch
    {
        ProcReadErrorKind.NotFound or ProcReadErrorKind.ProcessExited => new CliException($"ebb map: no such process: {pid}"),
        _ => new CliException($"ebb map: {e.Message}"),
    };

    private static string Title(string pid, string root)
    {
        string shown = pid == "self" ? Environment.ProcessId.ToString() : pid;
        try
        {
            var cmd = CmdlineParser.Read(pid, root);
            return cmd.IsEmpty ? $"{shown}: address space" : $"{shown}: {cmd}";
        }
        catch (ProcReadException)
        {
            return $"{shown}: address space";
        }
    }

    private static void PrintHelp(TextWriter w)
    {
        w.WriteLine("Usage: ebb map PID|self [-o FILE.svg|FILE.html] [--json] [--proc-root DIR]");
        w.WriteLine();
        w.WriteLine("Draws a process's address space: every mapping a band in address order, its height on a");
        w.WriteLine("log scale of its size, coloured by kind (code, data, file, heap, anonymous, Ebb's memory,");
        w.WriteLine("stack, vvar/vdso, guard), its resident part filled (from smaps), with a legend and totals.");
        w.WriteLine("HTML embeds the SVG and shows a region's every figure on hover. Without -o, SVG to stdout.");
        w.WriteLine("For 'self', ebb first allocates a 64 KiB and an 8 MiB block with Ebb, so that its arenas show.");
        w.WriteLine("Ebb's regions (arena chunks, huge blocks, its page map and chunk map) are marked and named:");
        w.WriteLine("ebb's own from its allocator; another process's asked over its .NET diagnostics channel.");
        w.WriteLine("A process that is not .NET, does not use Ebb or cannot be attached to is drawn all the same,");
        w.WriteLine("without Ebb's marks, with one line on stderr saying why (exit 0).");
        w.WriteLine();
        w.WriteLine("Options:");
        w.WriteLine("  -o, --output FILE   write FILE.svg or FILE.html");
        w.WriteLine("  --proc-root DIR     read a saved /proc tree instead of /proc");
        w.WriteLine("  --json              the regions, their kinds and sizes as JSON on stdout, no picture");
        w.WriteLine("                      (schema: docs/compatibility.md)");
        w.WriteLine("  -h, --help          show this help");
    }
}
