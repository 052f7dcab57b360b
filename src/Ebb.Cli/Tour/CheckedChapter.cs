using Ebb.Cli.Lab;
namespace Ebb.Cli.Tour;

/// <summary>
/// The tour's last chapter: a program that writes one byte past a 13-byte block, run in a
/// child process under <c>EBB_CHECK=1</c>, and the report that names the block and the
/// method that allocated it.
/// </summary>
public sealed class CheckedChapter : ITourChapter
{
    /// <inheritdoc/>
    public string Title => "Checked mode: a heap overflow caught and named";

    /// <inheritdoc/>
    public string Explanation =>
        "A release allocator lets an overflow corrupt memory silently. With EBB_CHECK=1 every block " +
        "has redzones and its allocation stack: a child writes 14 bytes into a 13-byte block ('ebb " +
        "lab errors' runs them all).";

    /// <inheritdoc/>
    public void Run(TourContext context)
    {
        ErrorsLab.ChildResult result;
        using (context.Progress("running the child process"))
            result = ErrorsLab.RunChild("overflow", [("EBB_CHECK", "1")]);
        var style = context.Style;
        context.Out.WriteLine($"$ EBB_CHECK=1 ebb lab errors --child overflow        (exit code {result.ExitCode})");
        // The report without its two ASan-style restatements (the region, the SUMMARY line):
        // the first line already says them; 'ebb lab errors' shows the whole report.
        foreach (var line in ErrorsLab.Excerpt(result.Stderr).Where(l => !l.StartsWith("SUMMARY:", StringComparison.Ordinal) && !l.Contains(" is located ", StringComparison.Ordinal)))
            context.Out.WriteLine(line.StartsWith("ebb: ERROR:", StringComparison.Ordinal) ? style.Bold(line) : line);
    }
}
