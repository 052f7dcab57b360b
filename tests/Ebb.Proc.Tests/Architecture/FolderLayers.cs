using System.Text.RegularExpressions;

namespace Ebb.Tests.Architecture;

/// <summary>
/// Checks by a source scan that a project's folders only point down: a file may use the types
/// declared in its own folder and in folders of lower layers, never those of a higher layer or
/// of another folder in its own layer. A <c>using</c> scan would miss a use of a folder whose
/// namespace is the project's (the root, and the two folders .editorconfig exempts), so the scan
/// looks for the names of the top-level types each folder declares, in code with comments and string
/// literals removed (a doc comment may point up; code may not).
/// </summary>
public static partial class FolderLayers
{
    /// <summary>The repository's root (the directory holding Ebb.slnx).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>
    /// Every reference that breaks the order, as "File.cs (Folder) uses Type (OtherFolder)".
    /// <paramref name="layers"/> lists folder names from the lowest layer up, folders of one
    /// layer separated by commas; "." is the project's root folder. A folder not listed is an error.
    /// </summary>
    public static List<string> Violations(string projectDir, params string[] layers)
    {
        var layerOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < layers.Length; i++)
            foreach (var folder in layers[i].Split(',', StringSplitOptions.TrimEntries))
                layerOf[folder] = i;

        var files = Directory.EnumerateFiles(projectDir, "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(Path.GetRelativePath(projectDir, f)))
            .Select(f => (Path: f, Folder: FolderOf(projectDir, f), Code: CodeOnly(File.ReadAllText(f))))
            .ToList();
        var problems = new List<string>();
        var declaredIn = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in files)
        {
            if (!layerOf.ContainsKey(f.Folder))
                problems.Add($"{Path.GetFileName(f.Path)} is in folder '{f.Folder}', which has no layer: add it to the test's order");
            foreach (Match m in TopLevelType().Matches(f.Code)) declaredIn.TryAdd(m.Groups["name"].Value, f.Folder);
        }
        foreach (var f in files)
        {
            if (!layerOf.TryGetValue(f.Folder, out int mine)) continue;
            var used = Identifier().Matches(f.Code).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
            foreach (var name in used)
            {
                if (!declaredIn.TryGetValue(name, out var folder) || folder == f.Folder) continue;
                if (!layerOf.TryGetValue(folder, out int theirs) || theirs >= mine)
                    problems.Add($"{Path.GetFileName(f.Path)} ({f.Folder}) uses {name} ({folder})");
            }
        }
        problems.Sort(StringComparer.Ordinal);
        return problems;
    }

    // The namespace and using lines out (a namespace is not a type; Ebb.Cli's is also the name
    // of the class Cli; a using alias names its type again where it is used), and comments and string literals, so that only code is scanned ("Ebb.Cli.Program." in a
    // string is a frame name to filter, not a use of Program). Verbatim and raw strings are rare
    // here and contain no type names; a regular string's escapes are skipped.
    internal static string CodeOnly(string source) => Stripped().Replace(source, m =>
        m.Value.StartsWith("$\"", StringComparison.Ordinal) ? string.Join(' ', Hole().Matches(m.Value).Select(h => h.Groups[1].Value))
        : m.Value.StartsWith('"') ? "\"\""
        : m.Value.StartsWith("//", StringComparison.Ordinal) ? ""
        : " ");

    // An interpolated string's holes are code: "{Type.Member}" uses Type.
    [GeneratedRegex(@"(?<!\{)\{([^{}]*)\}")]
    private static partial Regex Hole();

    [GeneratedRegex(@"^namespace [\w.]+;|^using [\w.]+;|//[^\n]*|/\*.*?\*/|\$?""(?:\\.|[^""\\\n])*""|'(?:\\.|[^'\\\n])'", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex Stripped();

    // Types declared at column 0: with file-scoped namespaces those are the top-level ones
    // (nested types, indented, are not visible from other folders unless through their parent).
    [GeneratedRegex(@"^(?:(?:public|internal|static|sealed|abstract|readonly|partial|unsafe|file|ref)\s+)*(?:class|struct|interface|enum|record(?:\s+struct|\s+class)?|delegate\s+[\w<>\[\]?,\s]+?)\s+(?<name>[A-Z]\w*)", RegexOptions.Multiline)]
    private static partial Regex TopLevelType();

    [GeneratedRegex(@"\b[A-Z]\w*\b")]
    private static partial Regex Identifier();

    private static bool IsBuildOutput(string relative) =>
        relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal) || relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static string FolderOf(string projectDir, string file)
    {
        string dir = Path.GetRelativePath(projectDir, Path.GetDirectoryName(file)!);
        return dir == "." ? "." : dir.Replace(Path.DirectorySeparatorChar, '/');
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ebb.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Ebb.slnx not found above " + AppContext.BaseDirectory);
    }
}
