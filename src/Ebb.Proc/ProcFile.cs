using Microsoft.Win32.SafeHandles;

namespace Ebb.Proc;

/// <summary>
/// Reads /proc files whole into byte buffers and maps I/O failures to <see cref="ProcReadException"/>.
/// procfs reports a size of 0 for most files, so the only way to read one is until end of file.
/// </summary>
internal static class ProcFile
{
    /// <summary>Reads the whole file; the returned array may be longer than <paramref name="length"/>.</summary>
    public static byte[] ReadAll(string path, out int length)
    {
        using var handle = Open(path);
        var buffer = new byte[4096];
        length = 0;
        while (true)
        {
            if (length == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            int n = Read(handle, path, buffer.AsSpan(length), length);
            if (n == 0) return buffer;
            length += n;
        }
    }

    /// <summary>Opens a file for reading, translating the failure to a <see cref="ProcReadException"/>.</summary>
    public static SafeFileHandle Open(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Translate(e, path);
        }
    }

    /// <summary>One read at <paramref name="offset"/>; 0 at end of file.</summary>
    public static int Read(SafeFileHandle handle, string path, Span<byte> into, long offset)
    {
        try
        {
            return RandomAccess.Read(handle, into, offset);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Translate(e, path);
        }
    }

    private const int ESRCH = 3;

    private static ProcReadException Translate(Exception e, string path) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException =>
            new ProcReadException(ProcReadErrorKind.NotFound, path, "No such file or directory", e),
        UnauthorizedAccessException =>
            new ProcReadException(ProcReadErrorKind.PermissionDenied, path, "Permission denied", e),
        IOException { HResult: ESRCH } =>
            new ProcReadException(ProcReadErrorKind.ProcessExited, path, "No such process", e),
        _ => new ProcReadException(ProcReadErrorKind.IoError, path, e.Message, e),
    };
}

/// <summary>
/// Streams a /proc file line by line out of one reusable buffer, so a 40 MB smaps costs no
/// more than the buffer and no string per line. A last line without its newline is reported
/// as <see cref="ProcReadErrorKind.Truncated"/>: the kernel always ends its lines.
/// </summary>
internal sealed class ProcLineReader : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly string _path;
    private byte[] _buffer;
    private int _start, _end;
    private long _offset;
    private bool _eof;

    /// <summary>Opens <paramref name="path"/>.</summary>
    public ProcLineReader(string path, int bufferSize = 256 * 1024)
    {
        _path = path;
        _handle = ProcFile.Open(path);
        _buffer = new byte[bufferSize];
    }

    /// <summary>The next line without its newline; false at end of file.</summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            int nl = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (nl >= 0)
            {
                line = _buffer.AsSpan(_start, nl);
                _start += nl + 1;
                return true;
            }
            if (_eof)
            {
                if (_start < _end)
                    throw new ProcReadException(ProcReadErrorKind.Truncated, _path, "last line has no end (file truncated)");
                line = default;
                return false;
            }
            Fill();
        }
    }

    private void Fill()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        int n = ProcFile.Read(_handle, _path, _buffer.AsSpan(_end), _offset);
        if (n == 0) _eof = true;
        _end += n;
        _offset += n;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _handle.Dispose();
}

/// <summary>Splits an in-memory copy of a /proc file into lines, with the same truncation rule as <see cref="ProcLineReader"/>.</summary>
internal ref struct SpanLines
{
    private ReadOnlySpan<byte> _rest;
    private readonly string _source;

    public SpanLines(ReadOnlySpan<byte> data, string source)
    {
        _rest = data;
        _source = source;
    }

    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        if (_rest.IsEmpty)
        {
            line = default;
            return false;
        }
        int nl = _rest.IndexOf((byte)'\n');
        if (nl < 0)
            throw new ProcReadException(ProcReadErrorKind.Truncated, _source, "last line has no end (file truncated)");
        line = _rest[..nl];
        _rest = _rest[(nl + 1)..];
        return true;
    }
}
