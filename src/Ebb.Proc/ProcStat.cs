using System.Globalization;
using System.Text;

namespace Ebb.Proc;

/// <summary>
/// /proc/PID/stat: <c>pid (comm) state ppid …</c>. The command name may hold spaces and
/// parentheses, so it is everything between the first <c>(</c> and the LAST <c>)</c>.
/// Fields are numbered as in proc(5): 1 = pid, 2 = comm, 3 = state, …, 28 = startstack.
/// </summary>
public sealed class ProcStat
{
    private readonly string[] _fields; // field 3 onwards, as text

    /// <summary>Creates the record.</summary>
    /// <param name="pid">Field 1.</param>
    /// <param name="rawComm">Field 2's bytes, without the parentheses.</param>
    /// <param name="fieldsFrom3">Fields 3 and on, as the kernel wrote them.</param>
    public ProcStat(int pid, byte[] rawComm, string[] fieldsFrom3)
    {
        if (fieldsFrom3.Length == 0 || fieldsFrom3[0].Length != 1)
            throw new ArgumentException("field 3 (state) must be one character", nameof(fieldsFrom3));
        Pid = pid;
        RawComm = rawComm;
        _fields = fieldsFrom3;
    }

    /// <summary>Field 1: the process id.</summary>
    public int Pid { get; }

    /// <summary>Field 2 without the parentheses, as raw bytes.</summary>
    public byte[] RawComm { get; }

    /// <summary>Field 2 decoded as UTF-8.</summary>
    public string Comm => Encoding.UTF8.GetString(RawComm);

    /// <summary>Field 3: R, S, D, Z, T, t, X, I…</summary>
    public char State => _fields[0][0];

    /// <summary>How many fields the line held in all (including pid and comm).</summary>
    public int FieldCount => _fields.Length + 2;

    /// <summary>The text of field <paramref name="number"/> (3 or more; proc(5) numbering).</summary>
    public string FieldText(int number)
    {
        if (number < 3 || number - 3 >= _fields.Length)
            throw new ArgumentOutOfRangeException(nameof(number), $"stat has fields 3..{FieldCount}");
        return _fields[number - 3];
    }

    /// <summary>Field <paramref name="number"/> as an unsigned number (addresses, sizes, limits).</summary>
    public ulong Unsigned(int number) =>
        ulong.TryParse(FieldText(number), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
        : throw new FormatException($"stat field {number} ('{FieldText(number)}') is not an unsigned number");

    /// <summary>Field <paramref name="number"/> as a signed number (priority, nice, tty_nr…).</summary>
    public long Signed(int number) =>
        long.TryParse(FieldText(number), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v
        : throw new FormatException($"stat field {number} ('{FieldText(number)}') is not a number");

    /// <summary>Field 4: parent process id.</summary>
    public int PPid => (int)Signed(4);
    /// <summary>Field 10: minor faults.</summary>
    public ulong MinorFaults => Unsigned(10);
    /// <summary>Field 12: major faults.</summary>
    public ulong MajorFaults => Unsigned(12);
    /// <summary>Field 20: number of threads.</summary>
    public long NumThreads => Signed(20);
    /// <summary>Field 22: start time after boot, clock ticks.</summary>
    public ulong StartTime => Unsigned(22);
    /// <summary>Field 23: virtual size, bytes.</summary>
    public ulong VSize => Unsigned(23);
    /// <summary>Field 24: resident set, pages.</summary>
    public long RssPages => Signed(24);
    /// <summary>Field 26: start of the text segment (0 when hidden from the reader).</summary>
    public ulong StartCode => Unsigned(26);
    /// <summary>Field 27: end of the text segment.</summary>
    public ulong EndCode => Unsigned(27);
    /// <summary>Field 28: the address of the start (bottom) of the main thread's stack; pmap uses it to tell <c>[ stack ]</c> from <c>[ anon ]</c>.</summary>
    public ulong StartStack => Unsigned(28);
}

/// <summary>Parses /proc/PID/stat.</summary>
public static class StatParser
{
    /// <summary>Reads and parses <c>ROOT/PID/stat</c>.</summary>
    /// <exception cref="ProcReadException">The file is missing, unreadable, truncated or malformed.</exception>
    public static ProcStat Read(string pid, string root = ProcPaths.DefaultRoot)
    {
        string path = ProcPaths.For(root, pid, "stat");
        var data = ProcFile.ReadAll(path, out int length);
        return Parse(data.AsSpan(0, length), path);
    }

    /// <summary>Parses the text of a stat file.</summary>
    /// <exception cref="ProcReadException">The text is truncated or malformed.</exception>
    public static ProcStat Parse(ReadOnlySpan<byte> data, string source = "stat")
    {
        if (data.IsEmpty || data[^1] != '\n')
            throw new ProcReadException(ProcReadErrorKind.Truncated, source, "line has no end (file truncated)");
        var line = data[..^1];
        int open = line.IndexOf((byte)'(');
        int close = line.LastIndexOf((byte)')');
        if (open <= 0 || close < open || close + 2 > line.Length || line[close + 1] != ' ')
            throw new ProcReadException(ProcReadErrorKind.Corrupt, source, "no 'pid (comm) ' at the start");
        var pidScan = new SpanScanner(line[..(open - 1)]);
        ulong pid = pidScan.Decimal();
        if (!pidScan.Ok || !pidScan.AtEnd || line[open - 1] != ' ' || pid > int.MaxValue)
            throw new ProcReadException(ProcReadErrorKind.Corrupt, source, "the pid is not a number");
        var rest = Encoding.ASCII.GetString(line[(close + 2)..]);
        var fields = rest.Split(' ');
        // proc(5) documents 52 fields; the state and everything through startstack must be there.
        if (fields.Length < 26 || fields[0].Length != 1)
            throw new ProcReadException(ProcReadErrorKind.Corrupt, source, $"only {fields.Length + 2} fields");
        foreach (var f in fields.AsSpan(1))
            if (f.Length == 0 || !(char.IsAsciiDigit(f[0]) || f[0] == '-'))
                throw new ProcReadException(ProcReadErrorKind.Corrupt, source, $"field '{f}' is not a number");
        return new ProcStat((int)pid, line[(open + 1)..close].ToArray(), fields);
    }
}
