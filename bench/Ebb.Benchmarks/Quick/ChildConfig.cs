namespace Ebb.Benchmarks.Quick;

/// <summary>
/// A contender run in a child process: its row label, the contender key the child runs, the
/// environment it starts with (LD_PRELOAD, EBB_*), and why it cannot run here, if it cannot.
/// </summary>
public sealed record ChildConfig(string Label, string ContenderKey, IReadOnlyDictionary<string, string> Environment, string? Unavailable = null)
{
    private const string LibDir = "/usr/lib/x86_64-linux-gnu";

    /// <summary>NativeMemory with <paramref name="soname"/> (from Debian's <paramref name="package"/>) preloaded.</summary>
    public static ChildConfig Preloaded(string allocator, string soname, string package)
    {
        string path = Path.Combine(LibDir, soname);
        return new ChildConfig($"NativeMemory + {allocator} (LD_PRELOAD)", ContenderList.NativeMemory,
            new Dictionary<string, string> { ["LD_PRELOAD"] = path },
            File.Exists(path) ? null : $"{path} missing (apt-get install {package})");
    }

    /// <summary>The three preloaded allocators of issue 3.</summary>
    public static IEnumerable<ChildConfig> Preloads() =>
    [
        Preloaded("mimalloc", "libmimalloc.so.2", "libmimalloc2.0"),
        Preloaded("jemalloc", "libjemalloc.so.2", "libjemalloc2"),
        Preloaded("tcmalloc", "libtcmalloc_minimal.so.4", "libtcmalloc-minimal4"),
    ];

    /// <summary>A contender in a child with nothing preloaded and the given EBB_* settings.</summary>
    public static ChildConfig Plain(string label, string key, params (string Name, string Value)[] env) =>
        new(label, key, env.ToDictionary(e => e.Name, e => e.Value));
}
