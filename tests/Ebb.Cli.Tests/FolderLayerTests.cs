using Ebb.Tests.Architecture;

namespace Ebb.Cli.Tests;

public class FolderLayerTests
{
    // Lowest first: the libc calls and the terminal (styles, wrapping, pipes, the one-line
    // error); the verbs of Commands; the labs, which may use Commands; the tour, which runs
    // labs and commands; the root (Program, Cli's dispatch), which knows every verb.
    private static readonly string[] s_layers = ["Interop,Terminal", "Commands", "Lab", "Tour", "."];

    [Fact]
    public void EbbCli_FoldersOnlyPointDown()
    {
        var violations = FolderLayers.Violations(Path.Combine(FolderLayers.RepoRoot, "src", "Ebb.Cli"), s_layers);
        Assert.True(violations.Count == 0, "folders that point up or sideways:\n" + string.Join('\n', violations));
    }

    [Fact]
    public void EbbCli_DoesNotUseTheAllocatorsSystemCallLayer()
    {
        // Only the allocator's own counters (OsCounters, OsCall) may be read from Ebb.Os.
        string[] raw = ["OsMemory", "Prot", "MapFlags", "Advice", "RemapFlags", "Timespec"];
        var uses = Directory.EnumerateFiles(Path.Combine(FolderLayers.RepoRoot, "src", "Ebb.Cli"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal))
            .SelectMany(f => raw.Where(r => System.Text.RegularExpressions.Regex.IsMatch(FolderLayers.CodeOnly(File.ReadAllText(f)), $@"\b{r}\b"))
                .Select(r => $"{Path.GetFileName(f)}: {r}"))
            .ToList();
        Assert.True(uses.Count == 0, string.Join('\n', uses));
    }
}
