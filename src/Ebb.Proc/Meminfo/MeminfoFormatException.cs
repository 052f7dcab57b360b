namespace Ebb.Proc;

/// <summary>
/// A meminfo file is empty, truncated or corrupt: a line that is not <c>Name: value [kB]</c>,
/// a number that does not fit, or a last line cut off before its newline.
/// </summary>
public sealed class MeminfoFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    /// <param name="path">The file that was read.</param>
    /// <param name="line">The 1-based line at fault, or 0 for the file as a whole.</param>
    /// <param name="reason">What is wrong, e.g. <c>no ':' after the field name</c>.</param>
    public MeminfoFormatException(string path, int line, string reason)
        : base(line > 0 ? $"{path}:{line}: {reason}" : $"{path}: {reason}")
    {
        Path = path;
        Line = line;
        Reason = reason;
    }

    /// <summary>The file that was read.</summary>
    public string Path { get; }

    /// <summary>The 1-based line at fault, or 0 for the file as a whole (e.g. empty).</summary>
    public int Line { get; }

    /// <summary>What is wrong with it.</summary>
    public string Reason { get; }
}
