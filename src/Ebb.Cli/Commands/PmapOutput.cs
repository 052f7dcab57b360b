using Ebb.Proc.Pmap;

namespace Ebb.Cli.Commands;

/// <summary>
/// Where <c>ebb pmap</c>'s bytes go. On the real console they are written unchanged to the
/// standard output stream (mapping names may not be UTF-8, and procps writes them raw);
/// to any other <see cref="TextWriter"/> (tests, the tour) they are decoded as UTF-8.
/// </summary>
internal sealed class PmapOutput : IDisposable
{
    private readonly TextWriter? _writer;
    private readonly Stream? _raw;
    private readonly bool _ownsRaw;

    public PmapOutput(TextWriter writer)
    {
        _writer = writer;
        if (ReferenceEquals(writer, Console.Out))
        {
            _raw = Console.OpenStandardOutput();
            _ownsRaw = true;
        }
    }

    /// <summary>Writes the bytes unchanged to <paramref name="raw"/> (tests compare them with procps's).</summary>
    public PmapOutput(Stream raw) => _raw = raw;

    /// <summary>Bytes waiting to be written.</summary>
    public ByteWriter Buffer { get; } = new(64 * 1024);

    public void WriteText(string text)
    {
        Buffer.Write(System.Text.Encoding.UTF8.GetBytes(text));
        Flush();
    }

    public void Flush()
    {
        if (Buffer.Length == 0) return;
        if (_raw is not null)
        {
            _writer?.Flush();
            _raw.Write(Buffer.WrittenSpan);
            _raw.Flush();
        }
        else
        {
            _writer!.Write(Buffer.ToString());
        }
        Buffer.Clear();
    }

    public void Dispose()
    {
        Flush();
        if (_ownsRaw) _raw!.Dispose();
    }
}
