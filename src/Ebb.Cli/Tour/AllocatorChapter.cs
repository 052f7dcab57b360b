using Ebb.Cli.Terminal;
using Ebb.Cli.Lab;
namespace Ebb.Cli.Tour;

/// <summary>
/// The tour's allocator chapter: 256 MiB of small blocks through EbbMemory, RSS and the maps
/// growing, everything freed, RSS falling after the purge delay with the madvise and munmap
/// counts; then the same on the brk page source, in a child process (the page source is read
/// once, at first use), showing the break move up and come down only from the top.
/// </summary>
public sealed class AllocatorChapter : ITourChapter
{
    /// <summary>Bytes allocated in each half.</summary>
    public const long Bytes = 256L << 20;

    /// <summary>Set in the child that runs the brk half; it then prints only that, between the markers.</summary>
    internal const string ChildVariable = "EBB_TOUR_BRK_CHILD";

    private const string Begin = "--- ebb tour: brk half ---";
    private const string End = "--- ebb tour: end of brk half ---";

    /// <inheritdoc/>
    public string Title => "The allocator: memory taken from the OS, and given back";

    /// <inheritdoc/>
    public string Explanation =>
        "Ebb takes memory from the OS in large mmap regions, hands it out in small blocks, and gives " +
        "freed pages back with madvise after a short delay: RSS falls. 256 MiB in 512-byte blocks, " +
        "then the same on a brk heap:";

    /// <inheritdoc/>
    public void Run(TourContext context)
    {
        var style = context.Style;
        bool brkSource = EbbMemory.Options.PageSource == EbbPageSource.Brk;
        if (brkSource && Environment.GetEnvironmentVariable(ChildVariable) == "1")
        {
            var brk = AllocatorTourRun.RunBrk(context, Bytes);
            context.Out.WriteLine(Begin);
            context.Out.Write(AllocatorTourFormatter.FormatBrk(brk, style));
            context.Out.WriteLine(End);
            return;
        }
        if (brkSource)
        {
            // EBB_PAGE_SOURCE=brk was set for the whole tour: this process can show only the brk run.
            context.Out.WriteLine("This process runs on the brk page source (EBB_PAGE_SOURCE=brk), so only that run is shown:");
            context.Out.Write(AllocatorTourFormatter.FormatBrk(AllocatorTourRun.RunBrk(context, Bytes), style));
            return;
        }

        var mmap = AllocatorTourRun.RunMmap(context, Bytes);
        context.Out.Write(AllocatorTourFormatter.FormatMmap(mmap, style));
        context.Out.WriteLine();
        // A child process: the page source is chosen once, at first use.
        context.Out.WriteLine(style.Bold("The same on the brk page source") + ", in a child process with EBB_PAGE_SOURCE=brk:");
        string text;
        using (context.Progress("running the brk half in a child process"))
            text = RunBrkChild(context.Color);
        context.Out.Write(text);
    }

    /// <summary>Runs <c>ebb tour --chapter allocator</c> on the brk source and returns its brk half.</summary>
    private static string RunBrkChild(bool color)
    {
        var psi = SelfProcess.StartInfo(["tour", "--chapter", "allocator", color ? "--color" : "--no-color"]);
        psi.Environment["EBB_PAGE_SOURCE"] = "brk";
        psi.Environment[ChildVariable] = "1";
        var (code, output, error) = SelfProcess.Run(psi, TimeSpan.FromSeconds(60));
        int from = output.IndexOf(Begin, StringComparison.Ordinal);
        int to = output.IndexOf(End, StringComparison.Ordinal);
        if (code != 0 || from < 0 || to < from)
        {
            string why = error.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? $"exit code {code}";
            throw new CliException($"the brk child failed: {why}");
        }
        from += Begin.Length;
        return output[from..to].TrimStart('\r', '\n');
    }
}
