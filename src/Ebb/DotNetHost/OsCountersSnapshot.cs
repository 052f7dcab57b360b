using Ebb.DotNetHost;
namespace Ebb.Os;

/// <summary>The Os counters at one moment; subtract two to see what a piece of work cost.</summary>
public sealed class OsCountersSnapshot
{
    private readonly long[] _calls, _bytes, _failures;
    private readonly int[] _lastErrors;

    internal OsCountersSnapshot(long[] calls, long[] bytes, long[] failures, int[] lastErrors)
    {
        this._calls = calls;
        this._bytes = bytes;
        this._failures = failures;
        this._lastErrors = lastErrors;
    }

    /// <summary>Calls of <paramref name="kind"/> at the moment of the snapshot.</summary>
    public long Calls(OsCall kind) => _calls[(int)kind];

    /// <summary>Bytes covered by successful calls of <paramref name="kind"/>.</summary>
    public long Bytes(OsCall kind) => _bytes[(int)kind];

    /// <summary>Failed calls of <paramref name="kind"/>.</summary>
    public long Failures(OsCall kind) => _failures[(int)kind];

    /// <summary>The errno of the last failed call of <paramref name="kind"/> (0 when none failed).</summary>
    public int LastError(OsCall kind) => _lastErrors[(int)kind];

    /// <summary>What happened between <paramref name="earlier"/> and this snapshot.</summary>
    public OsCountersSnapshot Since(OsCountersSnapshot earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        var c = new long[_calls.Length];
        var b = new long[_calls.Length];
        var f = new long[_calls.Length];
        var e = new int[_calls.Length];
        for (int i = 0; i < c.Length; i++)
        {
            c[i] = _calls[i] - earlier._calls[i];
            b[i] = _bytes[i] - earlier._bytes[i];
            f[i] = _failures[i] - earlier._failures[i];
            e[i] = f[i] == 0 ? 0 : _lastErrors[i];
        }
        return new OsCountersSnapshot(c, b, f, e);
    }

    /// <summary>
    /// One line per kind that was called: <c>mmap  12 calls  50,331,648 bytes</c>, and for failures how
    /// many and the last one's errno, with what it means where Ebb knows (a kernel that cannot name
    /// mappings answers prctl with EINVAL).
    /// </summary>
    public override string ToString()
    {
        var sb = new System.Text.StringBuilder();
        foreach (OsCall kind in Enum.GetValues<OsCall>())
        {
            long n = Calls(kind);
            if (n == 0) continue;
            sb.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"{kind.ToString().ToLowerInvariant(),-9}{n,8} {(n == 1 ? "call " : "calls")} {Bytes(kind),16:N0} bytes");
            if (Failures(kind) != 0)
            {
                string why = kind == OsCall.Prctl && LastError(kind) == Errnos.EINVAL ? ": this kernel cannot name mappings" : "";
                sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"  ({Failures(kind)} failed, {Errnos.Name(LastError(kind))}{why})");
            }
            sb.AppendLine();
        }
        return sb.ToString();
    }
}

// The .NET host's view of the counters: snapshots to print and subtract.
public static partial class OsCounters
{
    /// <summary>A copy of every counter at one moment, for printing or for taking differences.</summary>
    public static OsCountersSnapshot Snapshot()
    {
        var c = new long[KindCount];
        var b = new long[KindCount];
        var f = new long[KindCount];
        var e = new int[KindCount];
        for (int i = 0; i < KindCount; i++)
        {
            c[i] = Calls((OsCall)i);
            b[i] = Bytes((OsCall)i);
            f[i] = Failures((OsCall)i);
            e[i] = LastError((OsCall)i);
        }
        return new OsCountersSnapshot(c, b, f, e);
    }
}
