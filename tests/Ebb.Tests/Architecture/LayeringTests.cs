using System.Text.RegularExpressions;
using Xunit;

namespace Ebb.Tests.Architecture;

/// <summary>
/// The allocator's layers point only down (docs/design.md): Os at the bottom; the core, Arena and
/// Heap, above it (the two share their types, as mimalloc's types.h is shared); then the .NET host
/// (DotNetHost/: the core's contract implemented for .NET, with the public types it reports through:
/// the exception, the options, the stats); then the checks; then the public API (the other files at
/// src/Ebb's root). A source scan: every type a folder declares belongs to its layer (a
/// partial type to the lowest layer that declares part of it), and no file may name a type of a
/// layer above its own. That the core needs no .NET runtime at all is checked by the build itself:
/// src/Ebb.Native compiles Os, Arena and Heap against a core library that has no BCL.
/// </summary>
public class LayeringTests
{
    private static readonly string[][] s_layers =
    [
        ["Os"],
        ["Arena", "Heap"],
        ["DotNetHost", "EbbMemoryException.cs", "EbbOptions.cs", "EbbStats.cs"],
        ["Checks"],
        [""],
    ];

    [Fact]
    public void NoFileOfTheAllocatorNamesATypeOfAHigherLayer()
    {
        string src = Path.Combine(RepoRoot.Path, "src", "Ebb");
        var files = Directory.GetFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(f => (Path: f, Layer: LayerOf(Path.GetRelativePath(src, f)), Code: StripComments(File.ReadAllText(f))))
            .ToList();
        Assert.True(files.Count > 50, $"found only {files.Count} source files under {src}");

        var layerOfType = new Dictionary<string, int>();
        foreach (var f in files)
            foreach (string type in TopLevelTypes(f.Code))
                layerOfType[type] = Math.Min(layerOfType.GetValueOrDefault(type, int.MaxValue), f.Layer);

        var violations = new List<string>();
        foreach (var f in files)
            foreach (var (type, layer) in layerOfType)
                if (layer > f.Layer && Names(f.Code, type))
                    violations.Add($"{Path.GetRelativePath(src, f.Path)} (layer {f.Layer}) names {type} (layer {layer})");
        Assert.True(violations.Count == 0, "dependencies that point up:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void TheScanSeesADependencyThatPointsUp()
    {
        // The scan's own check: a core file naming an API type is caught.
        string code = StripComments("internal static class X { static void F() => EbbMemory.Free(null); } // EbbHeap");
        Assert.True(Names(code, "EbbMemory"));
        Assert.False(Names(code, "EbbHeap"));
        Assert.False(Names("var k = PageKind.Header;", "Header"));
        Assert.True(Names("Checks.Checker.Enabled", "Checker"));
        Assert.Equal(1, LayerOf(Path.Combine("Heap", "Alloc.cs")));
        Assert.Equal(4, LayerOf("EbbMemory.cs"));
        Assert.Equal(2, LayerOf("EbbStats.cs"));
        Assert.Equal(["A", "C"], TopLevelTypes("namespace N { class A { struct B { } } } enum C { X }"));
    }

    /// <summary>The types a file declares outside any other type (nested types are private to their declarer).</summary>
    private static IEnumerable<string> TopLevelTypes(string code)
    {
        var open = new Stack<bool>(); // per open brace: whether it is a namespace's
        bool nextIsNamespace = false;
        foreach (Match m in Regex.Matches(code, @"\bnamespace\s+[\w.]+|\b(?:class|struct|enum|interface|record(?:\s+struct|\s+class)?)\s+(\w+)|[{};]"))
        {
            string t = m.Value;
            if (t.StartsWith("namespace", StringComparison.Ordinal)) nextIsNamespace = true;
            else if (t == "{") { open.Push(nextIsNamespace); nextIsNamespace = false; }
            else if (t == "}") { if (open.Count > 0) open.Pop(); }
            else if (t == ";") nextIsNamespace = false;
            else if (open.All(isNamespace => isNamespace)) yield return m.Groups[1].Value;
        }
    }

    /// <summary>
    /// Whether the code names the type: alone, or qualified by one of Ebb's namespaces; not as a
    /// member of something else (<c>PageKind.Header</c> is an enum member, not a type Header).
    /// </summary>
    private static bool Names(string code, string type) =>
        Regex.IsMatch(code, $@"(?<![\w.]){type}\b|\b(?:Ebb|Os|Arena|Heap|Checks)\.{type}\b");

    private static int LayerOf(string relativePath)
    {
        for (int i = 0; i < s_layers.Length; i++)
            if (s_layers[i].Contains(Path.GetFileName(relativePath))) return i;
        string folder = Path.GetDirectoryName(relativePath) ?? "";
        string top = folder.Split(Path.DirectorySeparatorChar)[0];
        for (int i = 0; i < s_layers.Length; i++)
            if (s_layers[i].Contains(top)) return i;
        throw new InvalidOperationException($"{relativePath}: folder '{top}' has no layer; add it to LayeringTests.Layers");
    }

    /// <summary>The code without comments and string literals (a doc comment may name any type).</summary>
    private static string StripComments(string code)
    {
        code = Regex.Replace(code, @"//[^\n]*", "");
        code = Regex.Replace(code, @"/\*.*?\*/", "", RegexOptions.Singleline);
        return Regex.Replace(code, @"\$?@?""(?:[^""\\]|\\.)*""", "\"\"");
    }
}
