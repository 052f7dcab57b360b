namespace Ebb.Os;

/// <summary>
/// Process-wide counts of every system call the Os layer made, with the bytes each
/// covered: the program's own strace. Counting is on the slow path only (the
/// allocator calls the OS rarely), so plain interlocked adds are cheap enough.
/// </summary>
public static class OsCounters
{
    private static readonly int KindCount = Enum.GetValues<OsCall>().Length;
    private static readonly long[] calls = new long[KindCount];
    private static readonly long[] bytes = new long[KindCount];
    private static readonly long[] failures = new long[KindCount];
    private static readonly int[] lastErrors = new int[KindCount];

    /// <summary>Records one call of <paramref name="kind"/> covering <paramref name="byteCount"/> bytes; called right after the call, so a failure's errno is still the last one.</summary>
    internal static void Count(OsCall kind, long byteCount, bool failed)
    {
        Interlocked.Increment(ref calls[(int)kind]);
        if (failed)
        {
            Interlocked.Increment(ref failures[(int)kind]);
            Volatile.Write(ref lastErrors[(int)kind], System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        }
        else Interlocked.Add(ref bytes[(int)kind], byteCount);
    }

    /// <summary>How many calls of <paramref name="kind"/> were made, failed ones included.</summary>
    public static long Calls(OsCall kind) => Volatile.Read(ref calls[(int)kind]);

    /// <summary>How many bytes the successful calls of <paramref name="kind"/> covered (lengths asked for; for brk/sbrk, the absolute distance the break moved).</summary>
    public static long Bytes(OsCall kind) => Volatile.Read(ref bytes[(int)kind]);

    /// <summary>How many calls of <paramref name="kind"/> failed.</summary>
    public static long Failures(OsCall kind) => Volatile.Read(ref failures[(int)kind]);

    /// <summary>A copy of every counter at one moment, for printing or for taking differences.</summary>
    public static OsCountersSnapshot Snapshot()
    {
        var c = new long[KindCount];
        var b = new long[KindCount];
        var f = new long[KindCount];
        var e = new int[KindCount];
        for (int i = 0; i < KindCount; i++)
        {
            c[i] = Volatile.Read(ref calls[i]);
            b[i] = Volatile.Read(ref bytes[i]);
            f[i] = Volatile.Read(ref failures[i]);
            e[i] = Volatile.Read(ref lastErrors[i]);
        }
        return new OsCountersSnapshot(c, b, f, e);
    }
}

/// <summary>The Os counters at one moment; subtract two to see what a piece of work cost.</summary>
public sealed class OsCountersSnapshot
{
    private readonly long[] calls, bytes, failures;
    private readonly int[] lastErrors;

    internal OsCountersSnapshot(long[] calls, long[] bytes, long[] failures, int[] lastErrors)
    {
        this.calls = calls;
        this.bytes = bytes;
        this.failures = failures;
        this.lastErrors = lastErrors;
    }

    /// <summary>Calls of <paramref name="kind"/> at the moment of the snapshot.</summary>
    public long Calls(OsCall kind) => calls[(int)kind];

    /// <summary>Bytes covered by successful calls of <paramref name="kind"/>.</summary>
    public long Bytes(OsCall kind) => bytes[(int)kind];

    /// <summary>Failed calls of <paramref name="kind"/>.</summary>
    public long Failures(OsCall kind) => failures[(int)kind];

    /// <summary>The errno of the last failed call of <paramref name="kind"/> (0 when none failed).</summary>
    public int LastError(OsCall kind) => lastErrors[(int)kind];

    /// <summary>What happened between <paramref name="earlier"/> and this snapshot.</summary>
    public OsCountersSnapshot Since(OsCountersSnapshot earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        var c = new long[calls.Length];
        var b = new long[calls.Length];
        var f = new long[calls.Length];
        var e = new int[calls.Length];
        for (int i = 0; i < c.Length; i++)
        {
            c[i] = calls[i] - earlier.calls[i];
            b[i] = bytes[i] - earlier.bytes[i];
            f[i] = failures[i] - earlier.failures[i];
            e[i] = f[i] == 0 ? 0 : lastErrors[i];
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
