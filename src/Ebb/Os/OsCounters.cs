namespace Ebb.Os;

/// <summary>
/// Process-wide counts of every system call the Os layer made, with the bytes each
/// covered: the program's own strace. Counting is on the slow path only (the
/// allocator calls the OS rarely), so plain interlocked adds are cheap enough.
/// </summary>
public static unsafe partial class OsCounters
{
    /// <summary>How many kinds of call there are (the <see cref="OsCall"/> values are 0 .. KindCount − 1).</summary>
    internal const int KindCount = (int)OsCall.Prctl + 1;

    /// <summary>The counters, in plain static storage (no array object: the core runs without a runtime too).</summary>
    private struct Table
    {
        public fixed long Calls[KindCount];
        public fixed long Bytes[KindCount];
        public fixed long Failures[KindCount];
        public fixed int LastErrors[KindCount];
    }

    private static Table s_table;

    /// <summary>Records one call of <paramref name="kind"/> covering <paramref name="byteCount"/> bytes; <paramref name="errno"/> is the failure's errno (ignored when it did not fail).</summary>
    internal static void Count(OsCall kind, long byteCount, bool failed, int errno = 0)
    {
        int k = (int)kind;
        Interlocked.Increment(ref s_table.Calls[k]);
        if (failed)
        {
            Interlocked.Increment(ref s_table.Failures[k]);
            Volatile.Write(ref s_table.LastErrors[k], errno);
        }
        else Interlocked.Add(ref s_table.Bytes[k], byteCount);
    }

    /// <summary>How many calls of <paramref name="kind"/> were made, failed ones included.</summary>
    public static long Calls(OsCall kind) => Volatile.Read(ref s_table.Calls[(int)kind]);

    /// <summary>How many bytes the successful calls of <paramref name="kind"/> covered (lengths asked for; for brk/sbrk, the absolute distance the break moved).</summary>
    public static long Bytes(OsCall kind) => Volatile.Read(ref s_table.Bytes[(int)kind]);

    /// <summary>How many calls of <paramref name="kind"/> failed.</summary>
    public static long Failures(OsCall kind) => Volatile.Read(ref s_table.Failures[(int)kind]);

    /// <summary>The errno of the last failed call of <paramref name="kind"/> (0 when none failed).</summary>
    public static int LastError(OsCall kind) => Volatile.Read(ref s_table.LastErrors[(int)kind]);
}
