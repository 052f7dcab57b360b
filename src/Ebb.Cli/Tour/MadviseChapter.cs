using Ebb.Cli.Terminal;
using Ebb.Cli.Lab;
using System.Globalization;
using System.Text;

namespace Ebb.Cli.Tour;

/// <summary>The tour's madvise chapter: <c>ebb lab madvise</c> on this process.</summary>
public sealed class MadviseChapter : ITourChapter
{
    /// <inheritdoc/>
    public string Title => "madvise: giving memory back without giving up the addresses";

    /// <inheritdoc/>
    public string Explanation =>
        "madvise(MADV_DONTNEED) drops resident pages at once and keeps the mapping: anonymous pages " +
        "read back as zeros, a private file mapping as the file. MADV_FREE lets the kernel take them " +
        "only when it runs short.";

    /// <inheritdoc/>
    public void Run(TourContext context)
    {
        MadviseFacts facts;
        using (var progress = context.Progress($"touching and dropping {LabFormat.Bytes(MadviseExperiment.Size)} twice"))
            facts = MadviseExperiment.Measure(progress.Report);
        context.Out.Write(Brief(facts, context.Style));
    }

    /// <summary>The lab's facts in nine lines (<c>ebb lab madvise</c> prints them in full).</summary>
    internal static string Brief(MadviseFacts f, TextStyle s)
    {
        static string N(long n) => n.ToString(CultureInfo.InvariantCulture);
        string size = LabFormat.Bytes(f.Size);
        var sb = new StringBuilder();
        sb.AppendLine($"{size} anonymous at {LabFormat.Hex(f.Address)}, resident pages: {f.ResidentMapped} mapped, "
            + $"{s.Fact(N(f.ResidentTouched))} written, and");
        sb.AppendLine($"  {s.Good(N(f.ResidentAfterDontNeed))} after MADV_DONTNEED (VmRSS {LabFormat.Kb(f.VmRssTouchedKb)} -> {LabFormat.Kb(f.VmRssAfterDontNeedKb)}), "
            + $"read as {(f.ZeroAfterDontNeed ? "zeros" : s.Bad("NOT zeros"))}.");
        sb.AppendLine("A private mapping of a file of 4096 'a's (man-pages' madvise_dontneed.c):");
        sb.AppendLine($"  after mmap:               {f.FileText}");
        sb.AppendLine($"  after adding 1 to each:   {s.Fact(f.FileTextChanged)}   (on disk: {f.FileOnDiskAfterChange}, copy-on-write)");
        sb.AppendLine($"  after MADV_DONTNEED:      {s.Good(f.FileTextAfterDontNeed)}   (the private copy dropped)");
        if (!f.FreeSupported)
        {
            sb.AppendLine("MADV_FREE: this kernel refuses it (it needs Linux 4.5).");
            return sb.ToString();
        }
        sb.AppendLine($"MADV_FREE on another {size}, all written: resident pages {N(f.ResidentBeforeFree)} -> {s.Fact(N(f.ResidentAfterFree))}");
        sb.AppendLine($"  (LazyFree {LabFormat.Kb(f.LazyFreeKb)}): the kernel takes them only when it runs short;");
        sb.AppendLine($"  MADV_DONTNEED then: {s.Good(N(f.ResidentAfterFreeThenDontNeed))} (VmRSS {LabFormat.Kb(f.VmRssAfterFreeThenDontNeedKb)}).");
        return sb.ToString();
    }
}
