using Ebb.Cli.Terminal;
using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace Ebb.Cli.Commands;

/// <summary>
/// Reads Ebb's meter (<c>Ebb</c>) of another .NET process over its diagnostics IPC channel:
/// an EventPipe session with the runtime's metrics provider (System.Diagnostics.Metrics, as
/// dotnet-counters uses), which observes the instruments every interval and publishes their
/// values; one snapshot is handed on at the end of each collection that carried Ebb's figures.
/// </summary>
internal sealed class EbbMeterReader
{
    private const string MetricsProvider = "System.Diagnostics.Metrics";
    private const long TimeSeriesValuesKeyword = 0x2;

    private readonly int _pid;
    private readonly double _intervalSeconds;
    private readonly string _sessionId = Guid.NewGuid().ToString("N");

    /// <summary>A reader of process <paramref name="pid"/>, collecting every <paramref name="intervalSeconds"/>.</summary>
    public EbbMeterReader(int pid, double intervalSeconds)
    {
        _pid = pid;
        _intervalSeconds = intervalSeconds;
    }

    /// <summary>
    /// Collects until <paramref name="onSnapshot"/> returns false or <paramref name="cancel"/>
    /// fires. Throws <see cref="CliException"/> with one line when the process cannot be
    /// attached to, or shows no Ebb meter within a few intervals.
    /// </summary>
    public void Run(Func<EbbMeterSnapshot, bool> onSnapshot, CancellationToken cancel)
    {
        var arguments = new Dictionary<string, string>
        {
            ["SessionId"] = _sessionId,
            ["Metrics"] = EbbMetrics.MeterName,
            ["RefreshInterval"] = _intervalSeconds.ToString(CultureInfo.InvariantCulture),
            ["MaxTimeSeries"] = "100",
            ["MaxHistograms"] = "10",
        };
        EventPipeSession session;
        try
        {
            session = DiagnosticsChannel.Start(_pid, new EventPipeProvider(MetricsProvider, EventLevel.Informational, TimeSeriesValuesKeyword, arguments));
        }
        catch (DiagnosticsChannelException e)
        {
            throw new CliException("ebb stats: " + e.Message);
        }

        using (session)
        {
            string? error = null;
            bool sawEbb = false, current = false, done = false;
            var values = new Dictionary<string, long>(StringComparer.Ordinal);
            var calls = new SortedDictionary<string, long>(StringComparer.Ordinal);
            using var source = new EventPipeEventSource(session.EventStream);
            void Stop() => DiagnosticsChannel.Stop(session);

            source.Dynamic.All += e =>
            {
                // After the last snapshot wanted, collections that were already under way are ignored.
                if (done || e.ProviderName != MetricsProvider) return;
                switch (e.EventName)
                {
                    case "CollectionStart" or "Collection/Start":
                        if (Same(e)) { values.Clear(); calls.Clear(); current = true; }
                        break;
                    case "CounterRateValuePublished" or "UpDownCounterRateValuePublished" or "GaugeValuePublished":
                        if (!current || !Same(e) || e.PayloadByName("meterName") as string != EbbMetrics.MeterName) return;
                        string? text = (e.PayloadByName("value") ?? e.PayloadByName("lastValue")) as string;
                        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) return;
                        string instrument = e.PayloadByName("instrumentName") as string ?? "";
                        if (instrument == "ebb.os.calls")
                        {
                            string tags = e.PayloadByName("tags") as string ?? "";
                            calls[tags.StartsWith("call=", StringComparison.Ordinal) ? tags[5..] : tags] = (long)v;
                        }
                        else values[instrument] = (long)v;
                        break;
                    case "CollectionStop" or "Collection/Stop":
                        if (!current || !Same(e)) return;
                        current = false;
                        if (values.Count == 0) return;
                        sawEbb = true;
                        if (!onSnapshot(Snapshot(values, calls))) { done = true; Stop(); }
                        break;
                    case "MultipleSessionsNotSupportedError":
                        if (Same(e)) return;
                        error = $"ebb stats: process {_pid} is already being measured by another tool (dotnet-counters?); the runtime allows one metrics session";
                        done = true;
                        Stop();
                        break;
                }
            };

            // No Ebb figures after a few collections: the process does not use Ebb (its meter is created at first use).
            var deadline = TimeSpan.FromSeconds(Math.Max(5, 4 * _intervalSeconds));
            using var timer = new Timer(_ => { if (!sawEbb) { error ??= $"ebb stats: process {_pid} shows no Ebb meter: it does not use Ebb (or has not allocated with it yet)"; Stop(); } },
                null, deadline, Timeout.InfiniteTimeSpan);
            using var cancelled = cancel.Register(Stop);
            try
            {
                source.Process();
            }
            catch (Exception e) when (e is IOException or EndOfStreamException or ObjectDisposedException)
            {
                error ??= $"ebb stats: lost process {_pid}: {CliException.FirstLine(e.Message)}";
            }
            if (error != null) throw new CliException(error);
            if (!sawEbb && !cancel.IsCancellationRequested)
                throw new CliException($"ebb stats: process {_pid} ended before Ebb's figures arrived");
        }
    }

    private bool Same(TraceEvent e) => e.PayloadByName("sessionId") as string == _sessionId;

    private static EbbMeterSnapshot Snapshot(Dictionary<string, long> v, SortedDictionary<string, long> calls)
    {
        long Get(string name) => v.TryGetValue(name, out long x) ? x : 0;
        return new EbbMeterSnapshot
        {
            Reserved = Get("ebb.memory.reserved"), Committed = Get("ebb.memory.committed"), Resident = Get("ebb.memory.resident"),
            PendingPurge = Get("ebb.memory.pending_purge"), InUse = Get("ebb.memory.in_use"), Blocks = Get("ebb.blocks.in_use"),
            Purged = Get("ebb.memory.purged"), OsCalls = new SortedDictionary<string, long>(calls, StringComparer.Ordinal),
        };
    }
}
