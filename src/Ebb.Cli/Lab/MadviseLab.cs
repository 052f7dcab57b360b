using Ebb.Cli.Terminal;
namespace Ebb.Cli.Lab;

/// <summary><c>ebb lab madvise</c>: MADV_DONTNEED drops RSS and resets a private file mapping; MADV_FREE only marks pages.</summary>
public sealed class MadviseLab : ILabExperiment
{
    /// <inheritdoc/>
    public string Name => "madvise";

    /// <inheritdoc/>
    public string Summary => "MADV_DONTNEED drops RSS and resets a private file mapping; MADV_FREE against it";

    /// <inheritdoc/>
    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var o = LabOptions.Parse(Name, args);
        if (o.Help)
        {
            stdout.WriteLine("Usage: ebb lab madvise [--json] [--strace]");
            stdout.WriteLine();
            stdout.WriteLine("Touches 64 MiB of anonymous memory and drops it with MADV_DONTNEED (RSS falls); changes a");
            stdout.WriteLine("private mapping of a file and drops it (the file's bytes come back); then compares");
            stdout.WriteLine("MADV_FREE (pages stay resident until memory runs short) with MADV_DONTNEED.");
            stdout.WriteLine();
            LabOptions.PrintCommonHelp(stdout, child: false);
            return 0;
        }
        if (o.Strace) return LabStrace.Run<MadviseFacts>(Name, stdout, stderr, f => [f.Address, f.FileAddress], (f, w) => Print(f, w, TextStyle.Plain));
        var facts = LabStrace.Marked(() => MadviseExperiment.Measure());
        if (o.Json) stdout.WriteLine(LabChild.ToJson(facts));
        else Print(facts, stdout, TextStyle.Plain);
        return 0;
    }

    /// <summary>Prints the facts as the lab's report.</summary>
    public static void Print(MadviseFacts f, TextWriter w, TextStyle s)
    {
        string Pages(long n) => $"{n} pages ({LabFormat.Bytes(n * (double)Environment.SystemPageSize)})";
        string size = LabFormat.Bytes(f.Size);
        w.WriteLine($"An anonymous mapping of {size} at {LabFormat.Hex(f.Address)}, {f.Pages} pages:");
        w.WriteLine($"  mapped, untouched:        resident {Pages(f.ResidentMapped)}");
        w.WriteLine($"  every page written:       resident {s.Fact(Pages(f.ResidentTouched))}   VmRSS {LabFormat.Kb(f.VmRssTouchedKb)}");
        w.WriteLine($"  madvise(MADV_DONTNEED):   resident {s.Good(Pages(f.ResidentAfterDontNeed))}   VmRSS {LabFormat.Kb(f.VmRssAfterDontNeedKb)}");
        w.WriteLine($"  the mapping stays; its pages read back as {(f.ZeroAfterDontNeed ? "zeros" : s.Bad("NOT zeros"))}.");
        w.WriteLine();
        w.WriteLine("A private mapping of a file of 4096 'a's (the man-pages madvise_dontneed.c example):");
        w.WriteLine($"  after mmap:               {f.FileText}");
        w.WriteLine($"  after adding 1 to each:   {s.Fact(f.FileTextChanged)}   (the file on disk still: {f.FileOnDiskAfterChange}; copy-on-write)");
        w.WriteLine($"  after MADV_DONTNEED:      {s.Good(f.FileTextAfterDontNeed)}   (the private copy is dropped: the file's bytes again)");
        w.WriteLine();
        w.WriteLine($"MADV_FREE against MADV_DONTNEED, on another {size}, every page written:");
        if (!f.FreeSupported)
        {
            w.WriteLine("  this kernel refuses MADV_FREE (it needs Linux 4.5)");
            return;
        }
        w.WriteLine($"  before:                   resident {Pages(f.ResidentBeforeFree)}");
        w.WriteLine($"  madvise(MADV_FREE):       resident {s.Fact(Pages(f.ResidentAfterFree))}   VmRSS {LabFormat.Kb(f.VmRssAfterFreeKb)}   smaps LazyFree {LabFormat.Kb(f.LazyFreeKb)}");
        w.WriteLine("    the pages stay until the kernel runs short of memory (or they are written again); RSS does not fall yet.");
        w.WriteLine($"  madvise(MADV_DONTNEED):   resident {s.Good(Pages(f.ResidentAfterFreeThenDontNeed))}   VmRSS {LabFormat.Kb(f.VmRssAfterFreeThenDontNeedKb)}");
    }
}
