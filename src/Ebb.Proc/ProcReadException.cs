namespace Ebb.Proc;

/// <summary>Why a /proc file could not be read or understood.</summary>
public enum ProcReadErrorKind
{
    /// <summary>The file (or the process directory) does not exist: no such process.</summary>
    NotFound,

    /// <summary>The kernel refused to open or read the file (EACCES/EPERM).</summary>
    PermissionDenied,

    /// <summary>The process went away while its files were being read (ESRCH, or a file vanished).</summary>
    ProcessExited,

    /// <summary>The file ends in the middle of a line or record.</summary>
    Truncated,

    /// <summary>The file's text does not have the layout the kernel writes.</summary>
    Corrupt,

    /// <summary>Any other I/O error.</summary>
    IoError,
}

/// <summary>
/// A /proc file could not be read or parsed. Every reader in <c>Ebb.Proc</c> throws only this
/// type for bad or vanished input, so a command can turn it into one line of text.
/// </summary>
public sealed class ProcReadException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">What went wrong.</param>
    /// <param name="path">The file being read (or a name for in-memory input).</param>
    /// <param name="detail">What was wrong, for the message.</param>
    /// <param name="inner">The underlying I/O exception, if any.</param>
    public ProcReadException(ProcReadErrorKind kind, string path, string detail, Exception? inner = null)
        : base($"{path}: {detail}", inner)
    {
        Kind = kind;
        Path = path;
        Detail = detail;
    }

    /// <summary>What went wrong.</summary>
    public ProcReadErrorKind Kind { get; }

    /// <summary>The file being read.</summary>
    public string Path { get; }

    /// <summary>The description of the problem, without the path.</summary>
    public string Detail { get; }
}
