using System.Text;

namespace Ebb.Proc;

/// <summary>
/// /proc/PID/cmdline: the arguments, each ended by a NUL. Empty for kernel threads and zombies.
/// A process may rewrite its own argument area, so the last argument may lack its NUL and
/// arguments may hold any bytes: the raw bytes are kept.
/// </summary>
public sealed class ProcCmdline
{
    /// <summary>Creates the record from the file's bytes.</summary>
    public ProcCmdline(byte[] raw)
    {
        Raw = raw;
        var args = new List<string>();
        var rest = raw.AsSpan();
        while (!rest.IsEmpty)
        {
            int nul = rest.IndexOf((byte)0);
            var arg = nul < 0 ? rest : rest[..nul];
            args.Add(Encoding.UTF8.GetString(arg));
            rest = nul < 0 ? default : rest[(nul + 1)..];
        }
        Arguments = args;
    }

    /// <summary>The file's bytes.</summary>
    public byte[] Raw { get; }

    /// <summary>The arguments, split at NULs and decoded as UTF-8.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>True when the file is empty (kernel thread or zombie).</summary>
    public bool IsEmpty => Raw.Length == 0;

    /// <summary>The arguments joined by single spaces.</summary>
    public override string ToString() => string.Join(' ', Arguments);
}

/// <summary>Reads /proc/PID/cmdline.</summary>
public static class CmdlineParser
{
    /// <summary>Reads <c>ROOT/PID/cmdline</c>.</summary>
    /// <exception cref="ProcReadException">The file is missing or unreadable.</exception>
    public static ProcCmdline Read(string pid, string root = ProcPaths.DefaultRoot)
    {
        string path = ProcPaths.For(root, pid, "cmdline");
        var data = ProcFile.ReadAll(path, out int length);
        return new ProcCmdline(data.AsSpan(0, length).ToArray());
    }

    /// <summary>Wraps the bytes of a cmdline file.</summary>
    public static ProcCmdline Parse(ReadOnlySpan<byte> data) => new(data.ToArray());
}
