using System.Globalization;
using System.Text;
using Ebb.Os;

namespace Ebb.Cli.Commands;

/// <summary>
/// The figures of Ebb's meter (<see cref="EbbMetrics"/>) at one moment, from this process's
/// allocator or read from another process over EventPipe; printed in the shape of
/// <see cref="EbbMemory.PrintStats"/> or as JSON.
/// </summary>
public sealed record EbbMeterSnapshot
{
    /// <summary>Address space Ebb holds (<c>ebb.memory.reserved</c>).</summary>
    public long Reserved { get; init; }

    /// <summary>Bytes in spans and huge blocks in use (<c>ebb.memory.committed</c>).</summary>
    public long Committed { get; init; }

    /// <summary>Bytes that may be resident (<c>ebb.memory.resident</c>).</summary>
    public long Resident { get; init; }

    /// <summary>Free bytes waiting for the purge delay (<c>ebb.memory.pending_purge</c>).</summary>
    public long PendingPurge { get; init; }

    /// <summary>Bytes of blocks in use (<c>ebb.memory.in_use</c>).</summary>
    public long InUse { get; init; }

    /// <summary>Blocks in use (<c>ebb.blocks.in_use</c>).</summary>
    public long Blocks { get; init; }

    /// <summary>Bytes given back with madvise so far (<c>ebb.memory.purged</c>).</summary>
    public long Purged { get; init; }

    /// <summary>System calls by kind, lower case (<c>ebb.os.calls</c>, tag <c>call</c>).</summary>
    public IReadOnlyDictionary<string, long> OsCalls { get; init; } = new Dictionary<string, long>();

    /// <summary>This process's figures, straight from the allocator.</summary>
    public static EbbMeterSnapshot FromThisProcess()
    {
        EbbStats s = EbbMemory.GetStats();
        var calls = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (OsCall kind in Enum.GetValues<OsCall>()) calls[kind.ToString().ToLowerInvariant()] = s.Os.Calls(kind);
        return new EbbMeterSnapshot
        {
            Reserved = s.ReservedBytes, Committed = s.CommittedBytes, Resident = s.ResidentBytes, PendingPurge = s.PendingPurgeBytes,
            InUse = s.InUseBytes, Blocks = s.InUseBlocks, Purged = s.PurgedBytes, OsCalls = calls,
        };
    }

    /// <summary>The figures as <see cref="EbbMemory.PrintStats"/> prints them (those the meter carries), headed by <paramref name="title"/>.</summary>
    public string ToText(string title)
    {
        var sb = new StringBuilder();
        void Line(string name, long bytes) =>
            sb.Append(CultureInfo.InvariantCulture, $"{name,-18}{bytes,16:N0} bytes  {Human(bytes),10}\n");
        sb.Append(CultureInfo.InvariantCulture, $"ebb: allocator statistics of {title}\n");
        Line("reserved", Reserved);
        Line("committed", Committed);
        Line("resident (max)", Resident);
        Line("pending purge", PendingPurge);
        Line("in use", InUse);
        sb.Append(CultureInfo.InvariantCulture, $"{"blocks in use",-18}{Blocks,16:N0}\n");
        Line("purged", Purged);
        foreach (var (kind, calls) in OsCalls)
            if (calls != 0) sb.Append(CultureInfo.InvariantCulture, $"{kind,-8}{calls,10:N0} calls\n");
        return sb.ToString();
    }

    /// <summary>The figures as one JSON object (bytes and counts as integers).</summary>
    public string ToJson(int? pid)
    {
        var sb = new StringBuilder("{");
        sb.Append(pid is int p ? string.Create(CultureInfo.InvariantCulture, $"\"pid\":{p},") : "\"pid\":\"self\",");
        sb.Append(CultureInfo.InvariantCulture,
            $"\"reserved\":{Reserved},\"committed\":{Committed},\"resident\":{Resident},\"pending_purge\":{PendingPurge},\"in_use\":{InUse},\"blocks\":{Blocks},\"purged\":{Purged},\"os_calls\":{{");
        sb.AppendJoin(',', OsCalls.Select(kv => string.Create(CultureInfo.InvariantCulture, $"\"{kv.Key}\":{kv.Value}")));
        sb.Append("}}");
        return sb.ToString();
    }

    private static string Human(long bytes)
    {
        double v = bytes;
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        int u = 0;
        while (Math.Abs(v) >= 1024 && u < units.Length - 1) { v /= 1024; u++; }
        return u == 0 ? $"{bytes} B" : v.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[u];
    }
}
