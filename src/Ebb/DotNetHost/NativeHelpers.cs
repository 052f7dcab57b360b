using System.Runtime.InteropServices;

namespace Ebb.DotNetHost;

/// <summary>
/// Ebb's native helper library (libebbfault.so: the guard-fault reporter, the stack walk and
/// the thread-exit hook), built from native/ when the build found a C compiler. Found next to
/// the application (a ProjectReference, or a package in a linux-x64 build), under
/// runtimes/linux-x64/native/ of the application (a package in a RID-less build), or wherever
/// the runtime's native probing finds it for Ebb.dll (the paths deps.json lists). Loaded once,
/// on first use; everything that uses it has a managed fallback for when it is missing.
/// </summary>
internal static class NativeHelpers
{
    /// <summary>The file name of the native library.</summary>
    public const string LibraryName = "libebbfault.so";

    /// <summary>Where NuGet puts a package's linux-x64 native asset, relative to a RID-less app's output.</summary>
    internal static readonly string s_runtimesPath = Path.Combine("runtimes", "linux-x64", "native", LibraryName);

    private static readonly nint s_handle = Load();

    /// <summary>Whether the library was found and loaded.</summary>
    public static bool Loaded => s_handle != 0;

    /// <summary>The address of an exported function, or 0 when the library or the export is missing.</summary>
    public static nint Export(string name) =>
        s_handle != 0 && NativeLibrary.TryGetExport(s_handle, name, out nint fn) ? fn : 0;

    private static nint Load()
    {
        // Explicit paths first, so a system-wide library of the same name never wins over the app's own.
        foreach (string path in new[] { Path.Combine(AppContext.BaseDirectory, LibraryName), Path.Combine(AppContext.BaseDirectory, s_runtimesPath) })
        {
            if (File.Exists(path) && NativeLibrary.TryLoad(path, out nint lib)) return lib;
        }
        // The runtime's probing for this assembly: the native search directories from deps.json, then the assembly's directory.
        return NativeLibrary.TryLoad(LibraryName, typeof(NativeHelpers).Assembly, DllImportSearchPath.AssemblyDirectory, out nint probed) ? probed : 0;
    }
}
