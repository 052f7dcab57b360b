using Ebb.Tests.Architecture;

namespace Ebb.Proc.Tests.Architecture;

public class FolderLayerTests
{
    // Lowest first. Interop is the libc calls; the root folder the /proc parsers every tool
    // shares; Meminfo is read by free alone; the tools' own folders are siblings and stay
    // apart (what two of them share moves down to the root, as Xml did).
    private static readonly string[] s_layers = ["Interop", ".", "Meminfo", "Free,Map,Pmap,Vdso,Watch"];

    [Fact]
    public void EbbProc_FoldersOnlyPointDown()
    {
        var violations = FolderLayers.Violations(Path.Combine(FolderLayers.RepoRoot, "src", "Ebb.Proc"), s_layers);
        Assert.True(violations.Count == 0, "folders that point up or sideways:\n" + string.Join('\n', violations));
    }

    [Fact]
    public void EbbProc_DoesNotReferenceTheAllocator()
    {
        // Its libc calls are its own (Interop/Libc.cs); the allocator's OS layer is the allocator's.
        string project = File.ReadAllText(Path.Combine(FolderLayers.RepoRoot, "src", "Ebb.Proc", "Ebb.Proc.csproj"));
        Assert.DoesNotContain("Ebb.csproj", project);
    }

    [Fact]
    public void Scan_FindsAnUpwardAndASidewaysUse_AndIgnoresCommentsAndStrings()
    {
        string dir = Directory.CreateTempSubdirectory("ebb-layers-").FullName;
        try
        {
            Write(dir, "Low/Base.cs", "namespace X;\n/// <summary>Not <see cref=\"Top\"/>.</summary>\ninternal static class Base { const string S = \"Top\"; }\n");
            Write(dir, "Low/Bad.cs", "namespace X;\ninternal static class Bad { static string F() => $\"{Top.Name}\"; }\n");
            Write(dir, "A/Left.cs", "namespace X;\npublic sealed record Left(int N) { int M() => Base.Length; }\n");
            Write(dir, "B/Right.cs", "namespace X;\npublic sealed class Right { Left? l; }\n");
            Write(dir, "Top.cs", "namespace X;\npublic static class Top { public static string Name => nameof(Right) + nameof(Bad); }\n");
            var violations = FolderLayers.Violations(dir, "Low", "A,B", ".");
            Assert.Equal(["Bad.cs (Low) uses Top (.)", "Right.cs (B) uses Left (A)"], violations);
            // A new folder must be given its place, not pass unchecked.
            Write(dir, "C/Stray.cs", "namespace X;\nclass Stray {}\n");
            Assert.Contains("Stray.cs is in folder 'C', which has no layer: add it to the test's order", FolderLayers.Violations(dir, "Low", "A,B", "."));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static void Write(string dir, string relative, string text)
    {
        string path = Path.Combine(dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
