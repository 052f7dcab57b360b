namespace Ebb.Cli;

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
        "The classic heap mistakes (writing past the end, freeing twice, using freed memory, leaking) " +
        "corrupt memory silently in a release allocator. With EBB_CHECK=1 every Ebb block has byte-exact " +
        "redzones, a state and its allocation stack, so the mistake is reported with the block's size, " +
        "where the write fell and who allocated it. Below: a child process writes 14 bytes into a 13-byte " +
        "block and frees it ('ebb lab errors' runs the whole list).";

    /// <inheritdoc/>
    public void Run(TourContext context)
    {
        ErrorsLab.ChildResult result;
        using (context.Progress("running the child process"))
            result = ErrorsLab.RunChild("overflow", [("EBB_CHECK", "1")]);
        var style = context.Style;
        context.Out.WriteLine($"$ EBB_CHECK=1 ebb lab errors --child overflow        (exit code {result.ExitCode})");
        foreach (var line in ErrorsLab.Excerpt(result.Stderr))
            context.Out.WriteLine(line.StartsWith("ebb: ERROR:", StringComparison.Ordinal) ? style.Bold(line) : line);
    }
}
