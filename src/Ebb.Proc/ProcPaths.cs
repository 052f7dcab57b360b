namespace Ebb.Proc;

/// <summary>
/// Where a process's files live. Every reader takes a root (normally <c>/proc</c>, or a saved
/// copy of it for tests and snapshots) and a pid (a number or <c>self</c>).
/// </summary>
public static class ProcPaths
{
    /// <summary>The live procfs mount.</summary>
    public const string DefaultRoot = "/proc";

    /// <summary>The path of <paramref name="file"/> (e.g. <c>maps</c>) of process <paramref name="pid"/> under <paramref name="root"/>.</summary>
    public static string For(string root, string pid, string file) =>
        $"{Trim(root)}/{pid}/{file}";

    /// <summary>The directory of process <paramref name="pid"/> under <paramref name="root"/>.</summary>
    public static string ProcessDirectory(string root, string pid) =>
        $"{Trim(root)}/{pid}";

    /// <summary>The path of a file directly under the root, e.g. <c>meminfo</c>.</summary>
    public static string Global(string root, string file) =>
        $"{Trim(root)}/{file}";

    // "/" stays "" so that "/" + "1/maps" is "/1/maps"; "/proc/" becomes "/proc".
    private static string Trim(string root) => root.TrimEnd('/');
}
