using System.Runtime.InteropServices;

namespace Ebb.Os;

/// <summary>
/// Ebb's native helper library (libebbfault.so: the guard-fault reporter, the stack walk and
/// the thread-exit hook), built from native/ when the build found a C compiler and copied next
/// to Ebb.dll. Loaded once, on first use; everything that uses it has a managed fallback for
/// when it is missing.
/// </summary>
internal static class NativeHelpers
{
    /// <summary>The file name of the native library.</summary>
    public const string LibraryName = "libebbfault.so";

    private static readonly nint Handle = Load();

    /// <summary>Whether the library was found and loaded.</summary>
    public static bool Loaded => Handle != 0;

    /// <summary>The address of an exported function, or 0 when the library or the export is missing.</summary>
    public static nint Export(string name) =>
        Handle != 0 && NativeLibrary.TryGetExport(Handle, name, out nint fn) ? fn : 0;

    private static nint Load()
    {
        // Next to the application (the build copies it next to Ebb.dll, and Ebb.dll lives there).
        string path = Path.Combine(AppContext.BaseDirectory, LibraryName);
        return File.Exists(path) && NativeLibrary.TryLoad(path, out nint lib) ? lib : 0;
    }
}
