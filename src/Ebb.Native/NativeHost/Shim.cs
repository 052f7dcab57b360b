using System.Runtime.InteropServices;

namespace Ebb.NativeHost;

/// <summary>
/// The C half of libebb.so (native/libebb/ebb_preload.c) as the C# half calls it: the thread-local
/// heap slot and its exit key, the arena's mutex, and the fatal reports (formatted in C: the core
/// formats no text). Bound at link time (--directpinvoke:ebbshim).
/// </summary>
internal static unsafe class Shim
{
    private const string Lib = "ebbshim";

    /// <summary>Starts the process's Ebb once (settings from the environment, the core, the exit key); called before a thread's first heap.</summary>
    [DllImport(Lib), SuppressGCTransition] public static extern void ebb_shim_start();

    /// <summary>Sets errno to ENOMEM (an allocation failed).</summary>
    [DllImport(Lib), SuppressGCTransition] public static extern void ebb_shim_set_enomem();

    /// <summary>The calling thread's heap slot.</summary>
    [DllImport(Lib), SuppressGCTransition] public static extern void* ebb_shim_thread_heap();

    /// <summary>Stores the calling thread's new heap in the slot and arms the thread-exit key with it.</summary>
    [DllImport(Lib), SuppressGCTransition] public static extern void ebb_shim_set_thread_heap(void* heap);

    [DllImport(Lib), SuppressGCTransition] public static extern void ebb_shim_lock();
    [DllImport(Lib), SuppressGCTransition] public static extern void ebb_shim_unlock();
    [DllImport(Lib), SuppressGCTransition] public static extern int ebb_shim_lock_held();

    /// <summary>The checked and guarded modes' lock (their lists, the stack depot's inserts); taken around fork too.</summary>
    [DllImport(Lib), SuppressGCTransition] public static extern void ebb_shim_check_lock();
    [DllImport(Lib), SuppressGCTransition] public static extern void ebb_shim_check_unlock();

    /// <summary>The lock of one shard of the checked blocks' lists (CheckedHeap.Shards of them); taken around fork too.</summary>
    [DllImport(Lib), SuppressGCTransition] public static extern void ebb_shim_shard_lock(int shard);
    [DllImport(Lib), SuppressGCTransition] public static extern void ebb_shim_shard_unlock(int shard);

    /// <summary>Reports a refused free (error: 0 double free, 1 invalid free, 2 never handed out) and aborts.</summary>
    [DllImport(Lib), SuppressGCTransition] public static extern void ebb_shim_fatal_free(int error, void* p, nuint blockSize, nuint blockStart, int kind);

    /// <summary>Reports an internal error (a failed assertion in a Debug build) and aborts.</summary>
    [DllImport(Lib), SuppressGCTransition] public static extern void ebb_shim_fatal(int code);

    /// <summary>Prints one verbose line for a core event.</summary>
    [DllImport(Lib), SuppressGCTransition] public static extern void ebb_shim_log(int e, nuint a, nuint b, nuint c);
}

/// <summary>Aborts the process with a report (no exceptions here).</summary>
internal static class Fatal
{
    /// <summary>An internal check failed.</summary>
    public static void Abort(string message) => Shim.ebb_shim_fatal(1);
}
