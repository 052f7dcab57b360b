using System.Text;

namespace Ebb.Proc;

/// <summary>
/// /proc/PID/status: every <c>Name:\tvalue</c> line kept in order as text, with typed access to
/// the memory figures. Sizes are in kB as the kernel writes them; null when a field is absent
/// (kernel threads have no Vm* lines; old kernels lack RssAnon and friends).
/// </summary>
public sealed class ProcStatus
{
    private readonly KeyValuePair<string, string>[] _fields;

    /// <summary>Creates the record from its fields in file order.</summary>
    public ProcStatus(IReadOnlyList<KeyValuePair<string, string>> fields) => _fields = [.. fields];

    /// <summary>Every field in file order: the name without its colon, the value with surrounding blanks removed.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Fields => _fields;

    /// <summary>The text of field <paramref name="name"/>, or null.</summary>
    public string? this[string name]
    {
        get
        {
            foreach (var f in _fields)
                if (f.Key == name) return f.Value;
            return null;
        }
    }

    /// <summary>A <c>NNN kB</c> field's number, or null when absent or not a size.</summary>
    public ulong? Kilobytes(string name)
    {
        var v = this[name];
        if (v is null || !v.EndsWith(" kB", StringComparison.Ordinal)) return null;
        return ulong.TryParse(v.AsSpan(0, v.Length - 3).Trim(), out var n) ? n : null;
    }

    /// <summary>A plain integer field's value (e.g. Pid, Threads), or null.</summary>
    public long? Integer(string name) =>
        long.TryParse(this[name], out var n) ? n : null;

    /// <summary>The command name (the <c>Name</c> line; unescaped by the kernel only for backslash and newline).</summary>
    public string? Name => this["Name"];
    /// <summary>The state line, e.g. <c>S (sleeping)</c>.</summary>
    public string? State => this["State"];
    /// <summary>Thread group id (the process id).</summary>
    public long? Tgid => Integer("Tgid");
    /// <summary>Thread id.</summary>
    public long? Pid => Integer("Pid");
    /// <summary>Parent process id.</summary>
    public long? PPid => Integer("PPid");
    /// <summary>Number of threads.</summary>
    public long? Threads => Integer("Threads");
    /// <summary>Peak virtual size, kB.</summary>
    public ulong? VmPeak => Kilobytes("VmPeak");
    /// <summary>Virtual size, kB.</summary>
    public ulong? VmSize => Kilobytes("VmSize");
    /// <summary>Locked memory, kB.</summary>
    public ulong? VmLck => Kilobytes("VmLck");
    /// <summary>Pinned memory, kB.</summary>
    public ulong? VmPin => Kilobytes("VmPin");
    /// <summary>Peak resident set, kB.</summary>
    public ulong? VmHWM => Kilobytes("VmHWM");
    /// <summary>Resident set (RssAnon + RssFile + RssShmem), kB.</summary>
    public ulong? VmRSS => Kilobytes("VmRSS");
    /// <summary>Resident anonymous memory, kB.</summary>
    public ulong? RssAnon => Kilobytes("RssAnon");
    /// <summary>Resident file mappings, kB.</summary>
    public ulong? RssFile => Kilobytes("RssFile");
    /// <summary>Resident shared memory (shmem, tmpfs, SysV, shared anonymous), kB.</summary>
    public ulong? RssShmem => Kilobytes("RssShmem");
    /// <summary>Data segment size (private writable, not stack), kB.</summary>
    public ulong? VmData => Kilobytes("VmData");
    /// <summary>Stack size, kB.</summary>
    public ulong? VmStk => Kilobytes("VmStk");
    /// <summary>Text (code) size, kB.</summary>
    public ulong? VmExe => Kilobytes("VmExe");
    /// <summary>Shared library code size, kB.</summary>
    public ulong? VmLib => Kilobytes("VmLib");
    /// <summary>Page table size, kB.</summary>
    public ulong? VmPTE => Kilobytes("VmPTE");
    /// <summary>Swapped-out anonymous memory, kB.</summary>
    public ulong? VmSwap => Kilobytes("VmSwap");
}

/// <summary>Parses /proc/PID/status.</summary>
public static class StatusParser
{
    /// <summary>Reads and parses <c>ROOT/PID/status</c>.</summary>
    /// <exception cref="ProcReadException">The file is missing, unreadable, truncated or malformed.</exception>
    public static ProcStatus Read(string pid, string root = ProcPaths.DefaultRoot)
    {
        string path = ProcPaths.For(root, pid, "status");
        var data = ProcFile.ReadAll(path, out int length);
        return Parse(data.AsSpan(0, length), path);
    }

    /// <summary>Parses the text of a status file.</summary>
    /// <exception cref="ProcReadException">The text is truncated or a line has no colon.</exception>
    public static ProcStatus Parse(ReadOnlySpan<byte> data, string source = "status")
    {
        var fields = new List<KeyValuePair<string, string>>(64);
        var lines = new SpanLines(data, source);
        int n = 0;
        while (lines.TryReadLine(out var line))
        {
            n++;
            int colon = line.IndexOf((byte)':');
            if (colon <= 0) throw MapsParser.Corrupt(source, n, "no 'Name:' at the start of the line");
            var value = line[(colon + 1)..].Trim("\t "u8);
            fields.Add(new(Encoding.UTF8.GetString(line[..colon]), Encoding.UTF8.GetString(value)));
        }
        if (fields.Count == 0) throw new ProcReadException(ProcReadErrorKind.Truncated, source, "empty file");
        return new ProcStatus(fields);
    }
}
