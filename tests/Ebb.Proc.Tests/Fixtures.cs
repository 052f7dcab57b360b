namespace Ebb.Proc.Tests;

/// <summary>Where the saved /proc trees are: each directory under fixtures/ stands for one pid.</summary>
internal static class Fixtures
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures");

    public static byte[] Bytes(string pid, string file) => File.ReadAllBytes(Path.Combine(Root, pid, file));

    /// <summary>A scratch /proc root holding one pid directory with the given files.</summary>
    public static string MakeTree(string pid, params (string File, byte[] Content)[] files)
    {
        var root = Path.Combine(Path.GetTempPath(), "ebb-proc-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, pid));
        foreach (var (file, content) in files) File.WriteAllBytes(Path.Combine(root, pid, file), content);
        return root;
    }
}
