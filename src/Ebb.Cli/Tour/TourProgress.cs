using System.Diagnostics;

namespace Ebb.Cli;

/// <summary>
/// A progress line for one slow tour step: on a terminal, redrawn in place (a bar when the
/// step reports how far it is, the elapsed time otherwise) and erased at the end; without
/// a terminal, silent. Redraws are throttled so that reporting in a tight loop is cheap; a
/// step that reports nothing has its elapsed time redrawn by a timer, four times a second.
/// </summary>
public sealed class TourProgress : IDisposable
{
    private const int Width = 24;
    private readonly TextWriter? terminal;
    private readonly string label;
    private readonly Stopwatch watch = Stopwatch.StartNew();
    private readonly Lock gate = new();
    private readonly Timer? ticker;
    private long lastDrawTicks = long.MinValue;
    private int drawnLength;
    private double? fraction;
    private bool disposed;

    internal TourProgress(TextWriter? terminal, string label)
    {
        this.terminal = terminal;
        this.label = label;
        if (terminal is null) return;
        Draw(null);
        ticker = new Timer(_ => Tick(), null, 250, 250);
    }

    private void Tick()
    {
        lock (gate)
            if (!disposed && fraction is null) Draw(null);
    }

    /// <summary>Reports that <paramref name="done"/> of <paramref name="total"/> units are finished.</summary>
    public void Report(long done, long total) => Report(total <= 0 ? 1 : (double)done / total);

    /// <summary>Reports the fraction finished, 0 to 1.</summary>
    public void Report(double fraction)
    {
        if (terminal is null) return;
        lock (gate)
        {
            if (disposed) return;
            this.fraction = Math.Clamp(fraction, 0, 1);
            long now = watch.ElapsedTicks;
            if (now - lastDrawTicks < Stopwatch.Frequency / 20 && fraction < 1) return;
            Draw(this.fraction);
        }
    }

    /// <summary>Erases the line (on a terminal) so that the chapter's own output starts clean.</summary>
    public void Dispose()
    {
        ticker?.Dispose();
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            if (terminal is null || drawnLength == 0) return;
            terminal.Write("\r" + new string(' ', drawnLength) + "\r");
            terminal.Flush();
            drawnLength = 0;
        }
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
