namespace Ebb.Proc;

/// <summary>Parses /proc/PID/maps into <see cref="MapEntry"/> records.</summary>
public static class MapsParser
{
    /// <summary>Reads and parses <c>ROOT/PID/maps</c>.</summary>
    /// <param name="pid">A process id or <c>self</c>.</param>
    /// <param name="root">The procfs root, <c>/proc</c> unless reading a saved tree.</param>
    /// <exception cref="ProcReadException">The file is missing, unreadable, truncated or malformed.</exception>
    public static List<MapEntry> Read(string pid, string root = ProcPaths.DefaultRoot)
    {
        string path = ProcPaths.For(root, pid, "maps");
        var list = new List<MapEntry>();
        using var reader = new ProcLineReader(path);
        int lineNumber = 0;
        while (reader.TryReadLine(out var line))
            list.Add(ParseLine(line, path, ++lineNumber));
        return list;
    }

    /// <summary>Parses the text of a maps file.</summary>
    /// <param name="data">The whole file.</param>
    /// <param name="source">A name for error messages.</param>
    /// <exception cref="ProcReadException">The text is truncated or malformed.</exception>
    public static List<MapEntry> Parse(ReadOnlySpan<byte> data, string source = "maps")
    {
        var list = new List<MapEntry>();
        var lines = new SpanLines(data, source);
        int lineNumber = 0;
        while (lines.TryReadLine(out var line))
            list.Add(ParseLine(line, source, ++lineNumber));
        return list;
    }

    /// <summary>Parses one maps line (also the header line of each smaps entry).</summary>
    /// <exception cref="ProcReadException">The line is malformed.</exception>
    public static MapEntry ParseLine(ReadOnlySpan<byte> line, string source, int lineNumber)
    {
        if (!TryParseLine(line, out var entry))
            throw Corrupt(source, lineNumber, "not a mapping line");
        return entry;
    }

    /// <summary>True when <paramref name="line"/> starts like a mapping line (<c>hex-hex </c>), which is how smaps tells headers from fields.</summary>
    public static bool LooksLikeMappingLine(ReadOnlySpan<byte> line)
    {
        // Field lines start with a capitalised name ending in ':'; headers with a hex address and '-'.
        int dash = line.IndexOf((byte)'-');
        int space = line.IndexOf((byte)' ');
        return dash > 0 && (space < 0 || dash < space) && line[0] is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f';
    }

    internal static bool TryParseLine(ReadOnlySpan<byte> line, out MapEntry entry)
    {
        entry = null!;
        var s = new SpanScanner(line);
        ulong start = s.Hex();
        s.Expect((byte)'-');
        ulong end = s.Hex();
        s.Expect((byte)' ');
        var permText = s.Take(4);
        s.Expect((byte)' ');
        ulong offset = s.Hex();
        s.Expect((byte)' ');
        ulong major = s.Hex();
        s.Expect((byte)':');
        ulong minor = s.Hex();
        s.Expect((byte)' ');
        ulong inode = s.Decimal();
        if (!s.Ok || end < start || major > uint.MaxValue || minor > uint.MaxValue) return false;
        if (!TryPermissions(permText, out var perms)) return false;
        if (!s.AtEnd && s.SkipBlanks() == 0) return false; // name must be separated from the inode
        var name = s.Rest;
        entry = new MapEntry(start, end, perms, offset, (uint)major, (uint)minor, inode,
            name.IsEmpty ? [] : name.ToArray());
        return true;
    }

    private static bool TryPermissions(ReadOnlySpan<byte> p, out MapPermissions perms)
    {
        perms = MapPermissions.None;
        if (p.Length != 4) return false;
        if (p[0] == 'r') perms |= MapPermissions.Read; else if (p[0] != '-') return false;
        if (p[1] == 'w') perms |= MapPermissions.Write; else if (p[1] != '-') return false;
        if (p[2] == 'x') perms |= MapPermissions.Execute; else if (p[2] != '-') return false;
        if (p[3] == 's') perms |= MapPermissions.Shared; else if (p[3] != 'p') return false;
        return true;
    }

    internal static ProcReadException Corrupt(string source, int lineNumber, string what) =>
        new(ProcReadErrorKind.Corrupt, source, $"line {lineNumber}: {what}");
}
