using Ebb.Proc;

namespace Ebb.Cli;

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
        if (pid == "self" && root == ProcPaths.DefaultRoot)
        {
            // ebb itself allocates nothing with Ebb: a small and a huge block make its arenas show.
            nint small = (nint)EbbMemory.Alloc(64 * 1024), huge = (nint)EbbMemory.Alloc(8 << 20);
            try
            {
                new Span<byte>((void*)small, 64 * 1024).Fill(1);
                new Span<byte>((void*)huge, 1 << 20).Fill(1);
                regions = Read(pid, root, stderr);
            }
            finally
            {
                EbbMemory.Free((void*)small);
                EbbMemory.Free((void*)huge);
            }
        }
        else regions = Read(pid, root, stderr);
        string title = Title(pid, root);
        if (json)
        {
            stdout.WriteLine(AddressSpaceJson.Format(title, regions));
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
    /// else maps alone with a one-line note. For <c>self</c>, Ebb's own ranges are marked.
    /// </summary>
    internal static List<MapRegion> Read(string pid, string root, TextWriter stderr)
    {
        bool self = pid == "self" && root == ProcPaths.DefaultRoot;
        bool Ebbs(MapEntry m) => self && EbbRanges.Covers(m.Start, m.End);
        ProcReadException? smapsError;
        try
        {
            var smaps = SmapsParser.Read(pid, root);
            return [.. smaps.Select(s => new MapRegion(s.Map, s, Ebbs(s.Map)))];
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
        return [.. maps.Select(m => new MapRegion(m, null, Ebbs(m)))];
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
        w.WriteLine("log scale of its size, coloured by kind (code, data, file, heap, anonymous, Ebb's arenas,");
        w.WriteLine("stack, vvar/vdso, guard), its resident part filled (from smaps), with a legend and totals.");
        w.WriteLine("HTML embeds the SVG and shows a region's every figure on hover. Without -o, SVG to stdout.");
        w.WriteLine("For 'self', ebb first allocates a 64 KiB and an 8 MiB block with Ebb, so that its arenas show.");
        w.WriteLine();
        w.WriteLine("Options:");
        w.WriteLine("  -o, --output FILE   write FILE.svg or FILE.html");
        w.WriteLine("  --proc-root DIR     read a saved /proc tree instead of /proc");
        w.WriteLine("  --json              the regions, their kinds and sizes as JSON on stdout, no picture");
        w.WriteLine("                      (schema: docs/compatibility.md)");
        w.WriteLine("  -h, --help          show this help");
    }
}
