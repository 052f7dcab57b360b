using Microsoft.Win32.SafeHandles;

namespace Ebb.Cli.Terminal;

/// <summary>
/// A reader that went away (<c>ebb watch PID | head -1</c>): .NET's console writer swallows
/// EPIPE, so a verb writing there would run on for ever. ebb writes to fd 1 itself where that is
/// a pipe, so that the write fails, and ends the verb quietly with procps's exit status.
/// </summary>
internal static class BrokenPipe
{
    /// <summary>
    /// The status to exit with: procps dies of SIGPIPE there (free, pmap), which a shell
    /// reports as 128 + 13.
    /// </summary>
    public const int ExitStatus = 141;

    // errno EPIPE on Linux: .NET's Unix IOExceptions carry the errno as their HResult.
    private const int Epipe = 32;

    /// <summary>True when <paramref name="e"/> is a write into a pipe whose reader has gone.</summary>
    public static bool Is(Exception e) =>
        e is IOException io && (io.HResult == Epipe || io.Message.Contains("Broken pipe", StringComparison.Ordinal));

    /// <summary>
    /// A writer straight to fd 1 that reports EPIPE, flushing every write so that a closed
    /// reader is seen at the next line; null when fd 1 is seekable (a file, which never reports a
    /// closed reader, and where FileStream's positioned writes would lose the shared offset) or
    /// not open at all.
    /// </summary>
    public static TextWriter? OpenStdout()
    {
        try
        {
            var stream = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            if (!stream.CanSeek)
                return new StreamWriter(stream, new System.Text.UTF8Encoding(false)) { AutoFlush = true };
            stream.Dispose();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // fd 1 closed or unusable: the console's own writer is as good as anything.
        }
        return null;
    }
}
