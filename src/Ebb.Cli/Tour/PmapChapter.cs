using Ebb.Proc;

namespace Ebb.Cli;

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
        "Each line is one mapping of this process's address space, read from /proc/self/smaps: " +
        "Address is where it starts, Kbytes how much address space it reserves, RSS how much of it " +
        "is resident in RAM now, Dirty how much of that was written and must be kept (anonymous " +
        "memory cannot be dropped, only swapped), Mode its permissions (r, w, x, s for shared), and " +
        "Mapping the file behind it, or [ anon ] for anonymous memory (the .NET heaps, thread stacks, " +
        "and what Ebb takes from the kernel). Kbytes far above RSS is reserved address space that " +
        "costs nothing until touched. Below, the mappings summed by kind and the largest few; " +
        "'ebb pmap -x self' (or 'ebb tour --full-pmap') shows every line.";

    /// <summary>How many of the largest mappings the summary lists.</summary>
    internal const int Largest = 5;

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
