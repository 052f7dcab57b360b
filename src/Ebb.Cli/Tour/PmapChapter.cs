using Ebb.Cli.Commands;
using Ebb.Proc;

namespace Ebb.Cli.Tour;

/// <summary>
/// The tour's pmap chapter: this process's mappings summed by kind, the largest few and the
/// totals (a .NET process has hundreds: the whole <c>pmap -x</c> would scroll the tour away);
/// <c>ebb tour --full-pmap</c> prints the whole <c>pmap -x</c> instead.
/// </summary>
public sealed class PmapChapter : ITourChapter
{
    /// <inheritdoc/>
    public string Title => "pmap -x: the mappings of this process, summed";

    /// <inheritdoc/>
    public string Explanation =>
        "This process's mappings (/proc/self/smaps) by kind: Kbytes is address space reserved, RSS " +
        "what is in RAM now; reserved space costs nothing until touched. 'ebb pmap -x self' or 'ebb " +
        "tour --full-pmap' shows every line.";

    /// <summary>How many of the largest mappings the summary lists.</summary>
    internal const int Largest = 3;

    /// <inheritdoc/>
    public void Run(TourContext context)
    {
        if (context.FullPmap)
        {
            int status = PmapCommand.Run(["-x", Environment.ProcessId.ToString()], context.Out, context.Error);
            if (status != 0) context.Error.WriteLine($"(pmap exited with status {status})");
            return;
        }
        var regions = MapCommand.Read("self", ProcPaths.DefaultRoot, context.Error);
        foreach (var line in MappingSummaryFormatter.Lines(MappingSummary.Of(regions, Largest))) context.Out.WriteLine(line);
    }
}
