using Ebb.Cli.Terminal;
namespace Ebb.Cli.Tour;

/// <summary>
/// What a tour chapter writes to, and how: <see cref="Style"/> colours text only when the
/// tour's output is a terminal (and not <c>--no-color</c>); <see cref="Progress"/> shows a
/// live line for slow steps on a terminal and nothing in a pipe, so logs stay clean.
/// </summary>
public sealed record TourContext(TextWriter Out, TextWriter Error, string[] Args)
{
    private TourProgress? _current;

    /// <summary>Whether the output may carry ANSI colour codes.</summary>
    public bool Color { get; init; }

    /// <summary>Whether the pmap chapter prints the whole <c>pmap -x</c> rather than its summary.</summary>
    public bool FullPmap { get; init; }

    /// <summary>Whether the output is a terminal (progress lines are drawn only then).</summary>
    public bool Interactive { get; init; }

    /// <summary>The styles to wrap text in; plain text when <see cref="Color"/> is off.</summary>
    public TextStyle Style => Color ? TextStyle.Ansi : TextStyle.Plain;

    /// <summary>
    /// Starts a progress line for a slow step, e.g. <c>using var p = context.Progress("touching 64 MiB");
    /// p.Report(done, total);</c>. Disposing it clears the line. Do not print while it is open.
    /// </summary>
    public TourProgress Progress(string label)
    {
        EndProgressLine();
        _current = new TourProgress(Interactive ? Out : null, label);
        return _current;
    }

    /// <summary>Clears a progress line a chapter left open (after a failure, say).</summary>
    internal void EndProgressLine()
    {
        _current?.Dispose();
        _current = null;
    }

    /// <summary>Whether <paramref name="writer"/> is this process's stdout and that is a terminal.</summary>
    internal static bool IsTerminal(TextWriter writer) =>
        ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>The NO_COLOR convention (https://no-color.org) and TERM=dumb turn colour off.</summary>
    internal static bool ColorAllowedByEnvironment() =>
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
        && Environment.GetEnvironmentVariable("TERM") != "dumb";
}
