using Ebb.Cli.Terminal;
namespace Ebb.Cli.Commands;

/// <summary>
/// The one check of an output file named on the command line (<c>watch -o</c>, <c>map -o</c>,
/// <c>vdso --dump</c>), made before any work so that a run is never lost to a bad name, and the
/// one writer of it, both saying what is wrong in plain words rather than .NET's messages.
/// </summary>
internal static class OutputPath
{
    /// <summary>
    /// Refuses <paramref name="path"/> unless a file can be written there: not empty, not a
    /// directory, ending in one of <paramref name="extensions"/> (when any are given, compared
    /// without case), in a folder that exists, and writable (probed by opening it, which leaves
    /// nothing behind: a file made by the probe is removed again).
    /// </summary>
    /// <param name="verb">The verb, for the message (<c>ebb VERB: ...</c>).</param>
    /// <param name="path">The path as the user gave it.</param>
    /// <param name="extensions">Allowed endings with their dot, e.g. <c>.svg</c>; none for any name.</param>
    /// <exception cref="CliException">The path cannot be written, with why in one line.</exception>
    public static void Check(string verb, string path, params string[] extensions)
    {
        if (path.Length == 0) throw Fail(verb, "the output file name is empty");
        if (Directory.Exists(path))
            throw Fail(verb, $"'{path}' is a directory; name a file in it, e.g. {Path.Combine(path, "out" + (extensions.FirstOrDefault() ?? ""))}");
        if (extensions.Length > 0
            && !extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase))
            throw Fail(verb, $"'{path}': the output must end in {string.Join(" or ", extensions)}");
        string folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";
        if (!Directory.Exists(folder))
            throw Fail(verb, File.Exists(folder)
                ? $"cannot write '{path}': '{folder}' is a file, not a folder"
                : $"cannot write '{path}': the folder '{folder}' does not exist");
        bool existed = File.Exists(path);
        try
        {
            // Opening for writing without truncating leaves an existing file as it was.
            using (new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite, 1)) { }
            if (!existed) File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Fail(verb, Why(path, folder, e));
        }
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/>, failures in plain words.</summary>
    /// <exception cref="CliException">The file could not be written.</exception>
    public static void Write(string verb, string path, string text) =>
        Guard(verb, path, () => File.WriteAllText(path, text));

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/>, failures in plain words.</summary>
    /// <exception cref="CliException">The file could not be written.</exception>
    public static void Write(string verb, string path, byte[] bytes) =>
        Guard(verb, path, () => File.WriteAllBytes(path, bytes));

    // The file may have become unwritable since Check (or Check was not called): the same words.
    private static void Guard(string verb, string path, Action write)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (Directory.Exists(path)) throw Fail(verb, $"'{path}' is a directory");
            throw Fail(verb, Why(path, Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/", e));
        }
    }

    // .NET's messages ("Access to the path ... is denied") name the exception, not the problem.
    private static string Why(string path, string folder, Exception e) => e switch
    {
        UnauthorizedAccessException => $"cannot write '{path}': permission denied",
        DirectoryNotFoundException => $"cannot write '{path}': the folder '{folder}' does not exist",
        // Creating a file where the file system takes none (/proc, /sys) is ENOENT.
        FileNotFoundException => $"cannot write '{path}': the folder '{folder}' does not take new files",
        PathTooLongException => $"cannot write '{path}': the name is too long",
        _ when e.Message.Contains("Read-only file system", StringComparison.Ordinal) => $"cannot write '{path}': the file system is read-only",
        _ when e.Message.Contains("No space left", StringComparison.Ordinal) => $"cannot write '{path}': no space left on the device",
        _ => $"cannot write '{path}': {CliException.FirstLine(e.Message)}",
    };

    private static CliException Fail(string verb, string message) => new($"ebb {verb}: {message}");
}
