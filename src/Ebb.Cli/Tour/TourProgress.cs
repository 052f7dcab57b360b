using System.Diagnostics;

namespace Ebb.Cli.Tour;

/// <summary>
/// A progress line for one slow tour step: on a terminal, redrawn in place (a bar when the
/// step reports how far it is, the elapsed time otherwise) and erased at the end; without
/// a terminal, silent. Redraws are throttled so that reporting in a tight loop is cheap; a
/// step that reports nothing has its elapsed time redrawn by a timer, four times a second.
/// </summary>
public sealed class TourProgress : IDisposable
{
    private const int Width = 24;
    private readonly TextWriter? _terminal;
    private readonly string _label;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private readonly Timer? _ticker;
    private long _lastDrawTicks = long.MinValue;
    private int _drawnLength;
    private double? _fraction;
    private bool _disposed;

    internal TourProgress(TextWriter? terminal, string label)
    {
        this._terminal = terminal;
        this._label = label;
        if (terminal is null) return;
        Draw(null);
        _ticker = new Timer(_ => Tick(), null, 250, 250);
    }

    private void Tick()
    {
        lock (_gate)
            if (!_disposed && _fraction is null) Draw(null);
    }

    /// <summary>Reports that <paramref name="done"/> of <paramref name="total"/> units are finished.</summary>
    public void Report(long done, long total) => Report(total <= 0 ? 1 : (double)done / total);

    /// <summary>Reports the fraction finished, 0 to 1.</summary>
    public void Report(double fraction)
    {
        if (_terminal is null) return;
        lock (_gate)
        {
            if (_disposed) return;
            this._fraction = Math.Clamp(fraction, 0, 1);
            long now = _watch.ElapsedTicks;
            if (now - _lastDrawTicks < Stopwatch.Frequency / 20 && fraction < 1) return;
            Draw(this._fraction);
        }
    }

    /// <summary>Erases the line (on a terminal) so that the chapter's own output starts clean.</summary>
    public void Dispose()
    {
        _ticker?.Dispose();
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            if (_terminal is null || _drawnLength == 0) return;
            _terminal.Write("\r" + new string(' ', _drawnLength) + "\r");
            _terminal.Flush();
            _drawnLength = 0;
        }
    }

    private void Draw(double? fraction)
    {
        if (_terminal is null) return;
        _lastDrawTicks = _watch.ElapsedTicks;
        string text = fraction is double f
            ? $"  {_label} [{new string('#', (int)(f * Width)).PadRight(Width, '.')}] {f * 100,3:0}%"
            : $"  {_label} ... {_watch.Elapsed.TotalSeconds:0.0} s";
        _terminal.Write("\r" + text.PadRight(_drawnLength));
        _terminal.Flush();
        _drawnLength = Math.Max(_drawnLength, text.Length);
    }
}
