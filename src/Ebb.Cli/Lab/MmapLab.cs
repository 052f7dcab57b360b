using Ebb.Cli.Terminal;
namespace Ebb.Cli.Lab;

/// <summary><c>ebb lab mmap</c>: map 5 ints, get a whole 4 KiB page; munmap, and the line is gone.</summary>
public sealed class MmapLab : ILabExperiment
{
    /// <inheritdoc/>
    public string Name => "mmap";

    /// <inheritdoc/>
    public string Summary => "mmap of 5 ints maps a whole page; munmap takes it away";

    /// <inheritdoc/>
    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var o = LabOptions.Parse(Name, args);
        if (o.Help)
        {
            stdout.WriteLine("Usage: ebb lab mmap [--json] [--strace]");
            stdout.WriteLine();
            stdout.WriteLine("Maps 20 bytes (5 ints) of anonymous memory and shows, from /proc/self/maps, that a whole");
            stdout.WriteLine("page was mapped; writes the ints; unmaps them and shows the line gone.");
            stdout.WriteLine();
            LabOptions.PrintCommonHelp(stdout, child: false);
            return 0;
        }
        if (o.Strace) return LabStrace.Run<MmapFacts>(Name, stdout, stderr, f => [f.Address], (f, w) => Print(f, w, TextStyle.Plain));
        var facts = LabStrace.Marked(() => MmapExperiment.Measure());
        if (o.Json) stdout.WriteLine(LabChild.ToJson(facts));
        else Print(facts, stdout, TextStyle.Plain);
        return 0;
    }

    /// <summary>Prints the facts as the lab's report.</summary>
    public static void Print(MmapFacts f, TextWriter w, TextStyle s)
    {
        w.WriteLine($"mmap(NULL, {f.Asked}, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = {s.Fact(LabFormat.Hex(f.Address))}");
        w.WriteLine($"  maps before: {f.LineBefore ?? "(no line holds that address)"}");
        w.WriteLine($"  maps after:  {f.LineAfter ?? "(none!)"}");
        string merged = f.LineAfter is not null && f.NewBytes != 0 && !f.LineAfter.StartsWith($"{f.NewStart:x8}-{f.NewEnd:x8} ", StringComparison.Ordinal)
            ? " (the kernel merged it with a neighbouring anonymous mapping into one line)"
            : "";
        w.WriteLine($"  new in the address space: {f.NewStart:x}-{f.NewEnd:x} = {s.Fact($"{f.NewBytes} bytes")} for the {f.Asked} asked: a whole page{merged}.");
        w.WriteLine($"  wrote i*10 into the 5 ints, read back: {string.Join(", ", f.Values)}");
        w.WriteLine($"  the last int of the page (byte {f.NewBytes - 4}) is usable too: wrote and read {f.LastIntOfPage}");
        w.WriteLine($"munmap({LabFormat.Hex(f.Address)}, {f.Asked}):");
        w.WriteLine($"  maps after:  {(f.LineAfterUnmap is null ? s.Good("no line holds the address any more: the page is gone") : f.LineAfterUnmap)}");
    }
}
