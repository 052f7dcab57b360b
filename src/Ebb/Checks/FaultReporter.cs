using System.Runtime.InteropServices;

namespace Ebb.Checks;

/// <summary>
/// Loads the native fault reporter (libebbfault.so, built from native/ebb_fault.c next to
/// Ebb.dll when a C compiler was found) and installs its SIGSEGV handler. It is installed
/// at the first guarded allocation, after the runtime has installed its own handler, so it
/// runs first and chains to the runtime's. Without the library, guard faults still stop the
/// program at the faulting access, and the runtime's fatal message is the only report. Its
/// thread renders the stacks a report prints, when the handler asks (see <see cref="GuardTable"/>).
/// </summary>
internal static unsafe class FaultReporter
{
    /// <summary>The file name of the native library.</summary>
    public const string LibraryName = "libebbfault.so";

    /// <summary>Whether the handler is installed.</summary>
    public static bool Installed { get; private set; }

    /// <summary>The library's path once loaded.</summary>
    public static string? LoadedFrom { get; private set; }

    /// <summary>Installs the handler for <paramref name="table"/>; false when the library is missing.</summary>
    public static bool TryInstall(GuardTable table)
    {
        if (Installed) return true;
        // Next to the application (the build copies it next to Ebb.dll, and Ebb.dll lives there).
        string path = Path.Combine(AppContext.BaseDirectory, LibraryName);
        if (!File.Exists(path) || !NativeLibrary.TryLoad(path, out nint lib)) return false;
        if (!NativeLibrary.TryGetExport(lib, "ebb_fault_install", out nint fn)) return false;
        if (((delegate* unmanaged<nint, int>)fn)(table.Address) != 0) return false;
        StartRenderer(table);
        LoadedFrom = path;
        return Installed = true;
    }

    // The thread that renders the stacks a fault report needs, on the handler's request: it
    // waits in a system call, so it holds nothing up, and costs nothing until a fault.
    private static void StartRenderer(GuardTable table)
    {
        var t = new Thread(() =>
        {
            try
            {
                while (true)
                {
                    table.RenderRequests.Wait(-1);
                    table.RenderStacks();
                }
            }
            catch (Exception e)
            {
                // The handler then prints what it has, without the frames it lacks.
                Console.Error.WriteLine($"ebb: warning: the fault reporter cannot render stacks: {e.Message}");
            }
        }) { IsBackground = true, Name = "Ebb fault stacks" };
        t.UnsafeStart();
        table.PublishRenderer();
    }
}
