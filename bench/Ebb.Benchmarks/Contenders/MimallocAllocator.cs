using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ebb.Benchmarks.Contenders;

/// <summary>
/// mimalloc called directly: LibraryImport of mi_malloc/mi_free from Debian's libmimalloc.so.2 with
/// [SuppressGCTransition], the cheapest call into native code .NET has. This is the fastest
/// allocator a .NET program can call today, and the bar issue 3 sets Ebb against.
/// </summary>
public unsafe partial struct MimallocAllocator : INativeAllocator
{
    /// <summary>The library's soname, as Debian's libmimalloc2.0 installs it.</summary>
    public const string Library = "libmimalloc.so.2";

    /// <summary>True when the library loads (the benchmark skips this contender otherwise).</summary>
    public static bool Available { get; } = NativeLibrary.TryLoad(Library, out _);

    public static void* Alloc(nuint size) => mi_malloc(size);

    public static void Free(void* ptr) => mi_free(ptr);

    public static void* Realloc(void* ptr, nuint size) => mi_realloc(ptr, size);

    public static void Trim() => mi_collect(1);

    [LibraryImport(Library), SuppressGCTransition]
    private static partial void* mi_malloc(nuint size);

    [LibraryImport(Library), SuppressGCTransition]
    private static partial void mi_free(void* ptr);

    // Realloc of a big block copies or remaps: long enough that the GC must be allowed to run.
    [LibraryImport(Library)]
    private static partial void* mi_realloc(void* ptr, nuint size);

    [LibraryImport(Library)]
    private static partial void mi_collect(byte force);
}
