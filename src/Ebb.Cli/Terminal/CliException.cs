namespace Ebb.Cli.Terminal;

/// <summary>A failure a verb reports as one line (the message as printed) with a chosen exit code.</summary>
public sealed class CliException(string message, int exitCode = 1) : Exception(message)
{
    /// <summary>The process exit code to use.</summary>
    public int ExitCode { get; } = exitCode;

    /// <summary>
    /// The first non-empty line of an exception's message: some messages run on for lines
    /// (an <see cref="EbbMemoryException"/> carries its stacks), and an error is one line.
    /// </summary>
    internal static string FirstLine(string message) =>
        message.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.Trim().Length > 0) ?? "failed";
}
