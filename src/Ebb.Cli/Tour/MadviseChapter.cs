namespace Ebb.Cli;

/// <summary>The tour's madvise chapter: <c>ebb lab madvise</c> on this process.</summary>
public sealed class MadviseChapter : ITourChapter
{
    /// <inheritdoc/>
    public string Title => "madvise: giving memory back without giving up the addresses";

    /// <inheritdoc/>
    public string Explanation =>
        "Touched pages are resident (RSS). madvise(MADV_DONTNEED) drops them at once while the mapping " +
        "stays: anonymous pages read back as zeros, a private file mapping as the file again. " +
        "MADV_FREE only lets the kernel take the pages when it runs short, so RSS does not fall yet. " +
        "Ebb purges free memory with MADV_DONTNEED.";

    /// <inheritdoc/>
    public void Run(TourContext context)
    {
        MadviseFacts facts;
        using (var progress = context.Progress($"touching and dropping {LabFormat.Bytes(MadviseExperiment.Size)} twice"))
            facts = MadviseExperiment.Measure(progress.Report);
        MadviseLab.Print(facts, context.Out, context.Style);
    }
}
