using System.Diagnostics;

namespace Ebb.Cli;

/// <summary>
/// A progress line for one slow tour step: on a terminal, redrawn in place (a bar when the
/// step reports how far it is, the elapsed time otherwise) and erased at the end; without
/// a terminal, silent. Redraws are throttled so that reporting in a tight loop is cheap.
/// </summary>
public sealed class TourProgress : IDisposable
{
    private const int Width = 24;
    private readonly TextWriter? terminal;
    private readonly string label;
    private readonly Stopwatch watch = Stopwatch.StartNew();
    private long lastDrawTicks = long.MinValue;
    private int drawnLength;

    internal TourProgress(TextWriter? terminal, string label)
    {
        this.terminal = terminal;
        this.label = label;
        Draw(null);
    }

    /// <summary>Reports that <paramref name="done"/> of <paramref name="total"/> units are finished.</summary>
    public void Report(long done, long total) => Report(total <= 0 ? 1 : (double)done / total);

    /// <summary>Reports the fraction finished, 0 to 1.</summary>
    public void Report(double fraction)
    {
        if (terminal is null) return;
        long now = watch.ElapsedTicks;
        if (now - lastDrawTicks < Stopwatch.Frequency / 20 && fraction < 1) return;
        Draw(Math.Clamp(fraction, 0, 1));
    }

    /// <summary>Erases the line (on a terminal) so that the chapter's own output starts clean.</summary>
    public void Dispose()
    {
        if (terminal is null || drawnLength == 0) return;
        terminal.Write("\r" + new string(' ', drawnLength) + "\r");
        terminal.Flush();
        drawnLength = 0;
    }

    private void Draw(double? fraction)
    {
        if (terminal is null) return;
        lastDrawTicks = watch.ElapsedTicks;
        string text = fraction is double f
            ? $"  {label} [{new string('#', (int)(f * Width)).PadRight(Width, '.')}] {f * 100,3:0}%"
            : $"  {label} ... {watch.Elapsed.TotalSeconds:0.0} s";
        terminal.Write("\r" + text.PadRight(drawnLength));
        terminal.Flush();
        drawnLength = Math.Max(drawnLength, text.Length);
    }
}
