using System.Text;

namespace Ebb.Proc;

/// <summary>
/// Parses /proc/PID/smaps and smaps_rollup. Lines are taken as byte spans; field names are
/// matched against the previous entry's names at the same position, so steady-state parsing
/// allocates only the values array of each entry.
/// </summary>
public sealed class SmapsParser
{
    private readonly string _source;
    private readonly List<SmapsEntry> _entries = [];
    private SmapsLayout? _layout;                    // the last layout built, reused while names repeat
    private byte[][] _layoutBytes = [];               // its names as bytes, for comparison without strings
    private readonly List<string> _names = [];       // names of the entry being read when they differ
    private readonly List<bool> _units = [];
    private ulong[] _values = new ulong[32];
    private int _count;
    private bool _sameLayout;
    private MapEntry? _map;
    private string? _vmFlags;
    private string? _lastVmFlagsText;
    private byte[]? _lastVmFlagsBytes;
    private int _lineNumber;

    private SmapsParser(string source) => _source = source;

    /// <summary>Reads and parses <c>ROOT/PID/smaps</c>.</summary>
    /// <exception cref="ProcReadException">The file is missing, unreadable, truncated or malformed.</exception>
    public static List<SmapsEntry> Read(string pid, string root = ProcPaths.DefaultRoot) =>
        ReadFile(ProcPaths.For(root, pid, "smaps"));

    /// <summary>Reads and parses <c>ROOT/PID/smaps_rollup</c>: one entry whose name is <c>[rollup]</c>.</summary>
    /// <exception cref="ProcReadException">The file is missing, unreadable, malformed, or holds no entry.</exception>
    public static SmapsEntry ReadRollup(string pid, string root = ProcPaths.DefaultRoot)
    {
        string path = ProcPaths.For(root, pid, "smaps_rollup");
        var list = ReadFile(path);
        return list.Count == 1 ? list[0] : throw new ProcReadException(ProcReadErrorKind.Corrupt, path, $"expected one entry, found {list.Count}");
    }

    /// <summary>Parses the text of an smaps or smaps_rollup file.</summary>
    /// <exception cref="ProcReadException">The text is truncated or malformed.</exception>
    public static List<SmapsEntry> Parse(ReadOnlySpan<byte> data, string source = "smaps")
    {
        var parser = new SmapsParser(source);
        var lines = new SpanLines(data, source);
        while (lines.TryReadLine(out var line)) parser.Add(line);
        return parser.Finish();
    }

    private static List<SmapsEntry> ReadFile(string path)
    {
        var parser = new SmapsParser(path);
        using var reader = new ProcLineReader(path);
        while (reader.TryReadLine(out var line)) parser.Add(line);
        return parser.Finish();
    }

    private void Add(ReadOnlySpan<byte> line)
    {
        _lineNumber++;
        int space = line.IndexOf((byte)' ');
        var first = space < 0 ? line : line[..space];
        if (first.Length > 1 && first[^1] == ':')
        {
            if (_map is null) throw MapsParser.Corrupt(_source, _lineNumber, "field before the first mapping");
            var name = first[..^1];
            var rest = space < 0 ? default : line[(space + 1)..];
            if (name.SequenceEqual("VmFlags"u8)) SetVmFlags(rest);
            else AddField(name, rest);
            return;
        }
        FlushEntry();
        _map = MapsParser.ParseLine(line, _source, _lineNumber);
        _count = 0;
        _sameLayout = _layout is not null;
        _names.Clear();
        _units.Clear();
        _vmFlags = null;
    }

    private void AddField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> rest)
    {
        var s = new SpanScanner(rest);
        s.SkipBlanks();
        ulong value = s.Decimal();
        bool kb = false;
        if (!s.AtEnd)
        {
            s.SkipBlanks();
            if (s.Rest.SequenceEqual("kB"u8)) kb = true;
            else if (!s.AtEnd) throw MapsParser.Corrupt(_source, _lineNumber, "unexpected text after a field value");
        }
        if (!s.Ok) throw MapsParser.Corrupt(_source, _lineNumber, "field value is not a number");

        if (_count == _values.Length) Array.Resize(ref _values, _values.Length * 2);
        if (_sameLayout && (_count >= _layoutBytes.Length || !_layoutBytes[_count].AsSpan().SequenceEqual(name)))
        {
            // Names diverge from the cached layout: start collecting our own from here.
            _sameLayout = false;
            for (int i = 0; i < _count; i++)
            {
                _names.Add(_layout!.Names[i]);
                _units.Add(_layout.InKilobytes[i]);
            }
        }
        if (!_sameLayout)
        {
            _names.Add(Encoding.ASCII.GetString(name));
            _units.Add(kb);
        }
        _values[_count++] = value;
    }

    private void SetVmFlags(ReadOnlySpan<byte> rest)
    {
        rest = rest.Trim((byte)' ');
        // Most mappings share a handful of flag sets; reuse the last string when it repeats.
        if (_lastVmFlagsBytes is null || !_lastVmFlagsBytes.AsSpan().SequenceEqual(rest))
        {
            _lastVmFlagsBytes = rest.ToArray();
            _lastVmFlagsText = Encoding.ASCII.GetString(rest);
        }
        _vmFlags = _lastVmFlagsText;
    }

    private void FlushEntry()
    {
        if (_map is null) return;
        if (_sameLayout && _count != _layout!.Names.Count)
        {
            _sameLayout = false;
            for (int i = 0; i < _count; i++)
            {
                _names.Add(_layout.Names[i]);
                _units.Add(_layout.InKilobytes[i]);
            }
        }
        if (!_sameLayout)
        {
            _layout = new SmapsLayout(_names.ToArray(), _units.ToArray());
            _layoutBytes = _names.Select(Encoding.ASCII.GetBytes).ToArray();
        }
        _entries.Add(new SmapsEntry(_map, _layout!, _values.AsSpan(0, _count).ToArray(), _vmFlags));
        _map = null;
    }

    private List<SmapsEntry> Finish()
    {
        FlushEntry();
        return _entries;
    }
}
