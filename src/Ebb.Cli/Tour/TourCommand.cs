namespace Ebb.Cli;

/// <summary>
/// <c>ebb tour</c>: the main job on defaults. Runs every chapter in order, each under a
/// heading with a sentence that says what the reader is looking at.
/// </summary>
public static class TourCommand
{
    // Chapters in reading order; each lives in its own file under Tour/.
    private static readonly ITourChapter[] Chapters =
    [
        new FreeChapter(),
    ];

    /// <summary>Runs the tour.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var context = new TourContext(stdout, stderr, args);
        foreach (var chapter in Chapters)
        {
            stdout.WriteLine();
            stdout.WriteLine($"== {chapter.Title} ==");
            stdout.WriteLine(chapter.Explanation);
            stdout.WriteLine();
            chapter.Run(context);
        }
        return 0;
    }
}

/// <summary>One chapter of <c>ebb tour</c>.</summary>
public interface ITourChapter
{
    /// <summary>The heading.</summary>
    string Title { get; }

    /// <summary>A sentence or two on what the reader is about to see.</summary>
    string Explanation { get; }

    /// <summary>Shows it.</summary>
    void Run(TourContext context);
}

/// <summary>What a tour chapter writes to, and the tour's own arguments.</summary>
public sealed record TourContext(TextWriter Out, TextWriter Error, string[] Args);
