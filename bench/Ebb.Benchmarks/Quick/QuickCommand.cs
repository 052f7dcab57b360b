namespace Ebb.Benchmarks.Quick;

/// <summary><c>quick …</c>: runs the side-by-side comparison and prints the markdown report.</summary>
public static class QuickCommand
{
    /// <summary>Runs it; progress on stderr, the report on stdout (and in the --markdown file).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        QuickOptions options;
        try { options = QuickOptions.Parse(args); }
        catch (ArgumentException e)
        {
            stderr.WriteLine($"quick: {e.Message}");
            stderr.WriteLine(QuickOptions.Usage);
            return 2;
        }
        var results = QuickRunner.Run(options, stderr);
        string report = QuickReport.Render(results);
        stdout.Write(report);
        if (options.MarkdownPath is { } path) File.WriteAllText(path, report);
        return 0;
    }
}
