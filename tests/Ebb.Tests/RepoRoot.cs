namespace Ebb.Tests;

/// <summary>The repository's root (the folder holding Ebb.slnx), found above the test assembly.</summary>
internal static class RepoRoot
{
    /// <summary>The root's full path.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Ebb.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Ebb.slnx not found above " + AppContext.BaseDirectory);
    }
}
