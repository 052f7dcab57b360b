using System.Runtime.InteropServices;

namespace Ebb.Benchmarks.Contenders;

/// <summary>
/// "Give back what is free now" for the malloc that serves this process: malloc_trim(0) for glibc;
/// with an allocator LD_PRELOADed, that allocator's own call (mi_collect(true) for mimalloc, the
/// all-arenas purge through mallctl for jemalloc, MallocExtension_ReleaseFreeMemory for tcmalloc),
/// looked up with dlsym in the global scope, where preloaded libraries live.
/// </summary>
public static unsafe partial class MallocTrim
{
    /// <summary>Which allocator LD_PRELOAD names, or "glibc".</summary>
    public static string Allocator { get; } = Detect();

    /// <summary>The name of the call <see cref="Run"/> makes.</summary>
    public static string CallName => Allocator switch
    {
        "mimalloc" => "mi_collect(true)",
        "jemalloc" => "mallctl(\"arena.4096.purge\")",
        "tcmalloc" => "MallocExtension_ReleaseFreeMemory()",
        _ => "malloc_trim(0)",
    };

    /// <summary>Makes the trim call; throws if the preloaded allocator does not export it.</summary>
    public static void Run()
    {
        switch (Allocator)
        {
            case "mimalloc":
                ((delegate* unmanaged<byte, void>)Export("mi_collect"))(1);
                break;
            case "jemalloc":
                // MALLCTL_ARENAS_ALL is 4096: purge every arena's dirty and muzzy pages.
                byte* name = stackalloc byte[] { (byte)'a', (byte)'r', (byte)'e', (byte)'n', (byte)'a', (byte)'.', (byte)'4', (byte)'0', (byte)'9', (byte)'6', (byte)'.', (byte)'p', (byte)'u', (byte)'r', (byte)'g', (byte)'e', 0 };
                int rc = ((delegate* unmanaged<byte*, void*, nuint*, void*, nuint, int>)Export("mallctl"))(name, null, null, null, 0);
                if (rc != 0) throw new InvalidOperationException($"mallctl arena.4096.purge failed: {rc}");
                break;
            case "tcmalloc":
                ((delegate* unmanaged<void>)Export("MallocExtension_ReleaseFreeMemory"))();
                break;
            default:
                malloc_trim(0);
                break;
        }
    }

    private static nint Export(string name) =>
        NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), name, out nint p)
            ? p
            : throw new InvalidOperationException($"{name} not found although LD_PRELOAD names {Allocator}");

    private static string Detect()
    {
        string preload = Environment.GetEnvironmentVariable("LD_PRELOAD") ?? "";
        foreach (var known in new[] { "mimalloc", "jemalloc", "tcmalloc" })
            if (preload.Contains(known, StringComparison.Ordinal)) return known;
        return "glibc";
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int malloc_trim(nuint pad);
}
