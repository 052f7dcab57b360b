using Ebb.Proc;

namespace Ebb.Cli.Commands;

/// <summary>
/// Reads meminfo for <c>ebb free</c> and turns a failure into procps's one-line message:
/// a missing file is "does not exist", anything else that stops a read (empty, truncated,
/// corrupt, unreadable) is "Unable to create meminfo structure". For a saved tree
/// (<c>--proc-root</c>) that line goes on to name the file and what is wrong with it: procps's
/// words alone would leave the user to guess which of the tree's files is at fault.
/// </summary>
internal static class FreeSource
{
    /// <summary>Reads ROOT/meminfo; on failure returns null and the line to print.</summary>
    public static Meminfo? Read(string root, out string? error)
    {
        error = null;
        try
        {
            return MeminfoReader.Read(root);
        }
        catch (ProcReadException e) when (e.Kind == ProcReadErrorKind.NotFound)
        {
            error = $"free: Memory information file {ProcPaths.Global(root, MeminfoReader.FileName)} does not exist";
        }
        catch (ProcReadException e)
        {
            error = "free: Unable to create meminfo structure";
            if (root != ProcPaths.DefaultRoot) error += $": {e.Path}: {e.Detail}";
        }
        return null;
    }
}
