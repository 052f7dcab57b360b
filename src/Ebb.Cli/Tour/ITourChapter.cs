namespace Ebb.Cli.Tour;

/// <summary>One chapter of <c>ebb tour</c>.</summary>
public interface ITourChapter
{
    /// <summary>The short name for <c>--chapter</c>: by default the class name without "Chapter", in lower case.</summary>
    string Name => GetType().Name.Replace("Chapter", "", StringComparison.Ordinal).ToLowerInvariant();

    /// <summary>The heading.</summary>
    string Title { get; }

    /// <summary>A sentence or two on what the reader is about to see (wrapped by the tour).</summary>
    string Explanation { get; }

    /// <summary>Shows it. Compute first, then print; use <see cref="TourContext.Progress"/> around slow steps.</summary>
    void Run(TourContext context);
}
