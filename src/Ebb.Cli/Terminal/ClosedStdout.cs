using System.Text;

namespace Ebb.Cli.Terminal;

/// <summary>
/// Standard output when fd 1 is not open at all (<c>ebb free &gt;&amp;-</c>): the first write
/// fails with <see cref="StdoutClosedException"/>, which <see cref="Cli"/> turns into procps's
/// "write error" line and exit 1 (procps's close_stdout), instead of .NET's "Access to the path
/// is denied". A verb that writes nothing to stdout (a bad option, say) is unaffected, as in procps.
/// </summary>
internal sealed class ClosedStdout : TextWriter
{
    /// <inheritdoc/>
    public override Encoding Encoding => Encoding.UTF8;

    /// <summary>
    /// True when this process's fd 1 cannot be written: closed, or (as it is once the runtime
    /// starts with fd 1 closed: the next file it opens gets the lowest free number) open read-only.
    /// </summary>
    public static bool IsClosed()
    {
        try
        {
            if (!Directory.Exists("/proc/self/fd")) return false;   // no /proc: nothing to tell by
            if (!File.Exists("/proc/self/fd/1")) return true;
            foreach (var line in File.ReadLines("/proc/self/fdinfo/1"))
                if (line.StartsWith("flags:", StringComparison.Ordinal))
                    return (Convert.ToInt32(line["flags:".Length..].Trim(), 8) & 3) == 0;   // O_ACCMODE == O_RDONLY
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return false;
    }

    /// <inheritdoc/>
    public override void Write(char value) => throw new StdoutClosedException();

    /// <inheritdoc/>
    public override void Write(string? value)
    {
        if (!string.IsNullOrEmpty(value)) throw new StdoutClosedException();
    }

    /// <inheritdoc/>
    public override void Write(char[] buffer, int index, int count)
    {
        if (count > 0) throw new StdoutClosedException();
    }

    /// <summary>What each verb says: procps's words for free and pmap, plain ones for the rest.</summary>
    public static string Message(string verb) => verb switch
    {
        "free" => "free: write error",
        "pmap" => "pmap: write error: Bad file descriptor",
        _ => $"ebb {verb}: write error: standard output is closed",
    };
}

/// <summary>A write to a standard output that is not open.</summary>
internal sealed class StdoutClosedException() : IOException("standard output is closed");
