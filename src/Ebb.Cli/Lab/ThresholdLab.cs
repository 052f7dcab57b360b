using Ebb.Cli.Terminal;
namespace Ebb.Cli.Lab;

/// <summary><c>ebb lab threshold</c>: glibc malloc switching from its heap to mappings of its own as sizes grow.</summary>
public sealed class ThresholdLab : ILabExperiment
{
    /// <inheritdoc/>
    public string Name => "threshold";

    /// <inheritdoc/>
    public string Summary => "glibc malloc's mmap threshold: where growing blocks land, and how it moves";

    /// <inheritdoc/>
    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var o = LabOptions.Parse(Name, args);
        if (o.Help)
        {
            stdout.WriteLine("Usage: ebb lab threshold [--json] [--strace]");
            stdout.WriteLine();
            stdout.WriteLine("Allocates growing sizes (1 KiB to 64 MiB) with libc's malloc and shows where each lands:");
            stdout.WriteLine("in malloc's heap, or in a mapping of its own (M_MMAP_THRESHOLD, 128 KiB at first). Then");
            stdout.WriteLine("frees them and asks again: freeing a mapped block raised the threshold to its size.");
            stdout.WriteLine("Then the same sizes through Ebb, whose line between arena and own mapping does not move.");
            stdout.WriteLine();
            LabOptions.PrintCommonHelp(stdout, child: false);
            return 0;
        }
        if (o.Strace)
            return LabStrace.Run<ThresholdFacts>(Name, stdout, stderr, Addresses, (f, w) => Print(f, w, TextStyle.Plain));
        var facts = LabStrace.Marked(ThresholdExperiment.Measure);
        if (o.Json) stdout.WriteLine(LabChild.ToJson(facts));
        else Print(facts, stdout, TextStyle.Plain);
        return 0;
    }

    // A mapped chunk starts 16 bytes below the pointer: that is what mmap returned.
    private static IEnumerable<ulong> Addresses(ThresholdFacts f) =>
        f.FirstRound.Concat(f.SecondRound).Where(p => p.OwnMapping).Select(p => p.Address - 16)
            .Concat(f.Ebb.Where(p => p.OwnMapping).Select(p => ulong.Parse(p.RegionName.Split("at 0x")[1], System.Globalization.NumberStyles.HexNumber)));

    /// <summary>Prints the facts as the lab's report.</summary>
    public static void Print(ThresholdFacts f, TextWriter w, TextStyle s)
    {
        w.WriteLine($"malloc of growing sizes{(f.OnMainThread ? " on the main thread" : "")}, all live at once:");
        PrintRound(f.FirstRound, w, s);
        long first = ThresholdFacts.Switch(f.FirstRound);
        w.WriteLine($"  from {s.Fact(LabFormat.Bytes(first))} up, every block got a mapping of its own (M_MMAP_THRESHOLD, 128 KiB unless it moved already);");
        w.WriteLine("  free() gives such a block straight back with munmap.");
        w.WriteLine();
        w.WriteLine("The same sizes again, after freeing them all:");
        PrintRound(f.SecondRound, w, s);
        long second = ThresholdFacts.Switch(f.SecondRound);
        w.WriteLine($"  now only from {s.Fact(LabFormat.Bytes(second))} up: freeing a mapped block raised the threshold to its size");
        w.WriteLine("  (up to 32 MiB), betting that a program that frees a block that big will ask for one again.");
        if (f.Ebb.Length == 0) return;
        w.WriteLine();
        w.WriteLine("The same sizes through Ebb (EbbMemory.Alloc):");
        PrintRound(f.Ebb, w, s, "EbbMemory.Alloc");
        long ebb = ThresholdFacts.Switch(f.Ebb);
        w.WriteLine($"  Ebb's line does not move: of these sizes, from {s.Fact(LabFormat.Bytes(ebb))} up a block gets its own mapping");
        w.WriteLine("  (munmap on free, after a short stay in a small cache; mremap to grow);");
        w.WriteLine("  below, blocks share 64 KiB slices of 32 MiB arena chunks, whose free slices go back with madvise.");
    }

    private static void PrintRound(Placement[] round, TextWriter w, TextStyle s, string call = "malloc")
    {
        foreach (var p in round)
        {
            string where = p.OwnMapping ? s.Fact(p.RegionName) : p.RegionName;
            w.WriteLine($"  {call}({LabFormat.Bytes(p.Size),8}) = 0x{p.Address:x12}  {where}");
        }
    }
}
