using Ebb.Cli.Terminal;
using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace Ebb.Cli.Commands;

/// <summary>
/// Asks another .NET process which ranges Ebb holds in it: an EventPipe session with Ebb's
/// address-space event source (<see cref="EbbAddressSpace.EventSourceName"/>), which answers
/// its enabling with a <c>Region</c> event per range and an <c>End</c> event, written while the
/// session starts. The runtime sends a session's events on when its buffers fill or the session
/// stops, and this answer is a few hundred bytes: so the session is stopped after a short grace,
/// which sends the answer, and the events are read to the stream's end.
/// </summary>
internal static class EbbRegionReader
{
    /// <summary>How long the session stays open: the answer is written as it starts, this is only a margin.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The ranges of process <paramref name="pid"/>, lowest first. Throws
    /// <see cref="DiagnosticsChannelException"/> with the reason when there is no answer.
    /// </summary>
    public static List<EbbRegion> Read(int pid)
    {
        string request = Guid.NewGuid().ToString("N");
        var provider = new EventPipeProvider(EbbAddressSpace.EventSourceName, EventLevel.Informational, -1,
            new Dictionary<string, string> { ["RequestId"] = request });
        var regions = new List<EbbRegion>();
        bool ended = false;
        string? lost = null;
        using (var session = DiagnosticsChannel.Start(pid, provider))
        {
            using var timer = new Timer(_ => DiagnosticsChannel.Stop(session), null, Grace, Timeout.InfiniteTimeSpan);
            try
            {
                using var source = new EventPipeEventSource(session.EventStream);
                source.Dynamic.All += e =>
                {
                    if (ended || e.ProviderName != EbbAddressSpace.EventSourceName || e.PayloadByName("RequestId") as string != request) return;
                    if ((int)e.ID == 1 && Enum.TryParse(e.PayloadByName("Kind") as string, out EbbRegionKind kind)
                        && e.PayloadByName("Start") is long start && e.PayloadByName("Length") is long length)
                        regions.Add(new EbbRegion((ulong)start, (ulong)start + (ulong)length, kind));
                    else if ((int)e.ID == 2) ended = true;
                };
                source.Process();
            }
            catch (Exception e) when (e is IOException or EndOfStreamException or ObjectDisposedException)
            {
                lost = CliException.FirstLine(e.Message);
            }
        }
        if (!ended)
            throw new DiagnosticsChannelException(lost is null
                ? $"process {pid} did not answer: it does not use Ebb (or has not allocated with it yet)"
                : $"lost process {pid}: {lost}");
        regions.Sort((a, b) => a.Start.CompareTo(b.Start));
        return regions;
    }
}
