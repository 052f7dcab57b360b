using System.Runtime.InteropServices;
using Ebb.Heap;

namespace Ebb.DotNetHost;

/// <summary>
/// .NET has no thread-exit callback, so the native helper's pthread key stands in for one
/// (native/ebb_thread.c): its destructor, run as a watched thread exits, pushes the thread's heap
/// onto <see cref="DeadHeaps"/>' list and raises the purge thread's eventfd. Without the library,
/// thread ids are polled instead.
/// </summary>
internal static unsafe class ThreadExitHook
{
    /// <summary>ebb_thread_exit_watch, or null without the hook.</summary>
    private static delegate* unmanaged<Heap.Heap*, int> s_watch;

    /// <summary>Loads the hook and hands its list to <see cref="DeadHeaps"/>; without the library, nothing (thread ids will be polled).</summary>
    public static void Install()
    {
        nint init = NativeHelpers.Export("ebb_thread_exit_init"), w = NativeHelpers.Export("ebb_thread_exit_watch");
        if (init == 0 || w == 0) return;
        nint* cell = (nint*)NativeMemory.AllocZeroed((nuint)sizeof(nint));
        Heap.Heap probe = default;
        nuint linkOffset = (nuint)((byte*)&probe.NextDead - (byte*)&probe);
        if (((delegate* unmanaged<nint*, nuint, int, int>)init)(cell, linkOffset, Purger.Signal.Fd) != 0) return;
        s_watch = (delegate* unmanaged<Heap.Heap*, int>)w;
        DeadHeaps.UseHook(cell);
    }

    /// <summary>Makes the calling thread's exit push <paramref name="h"/>; false without the hook.</summary>
    public static bool Watch(Heap.Heap* h) => s_watch != null && s_watch(h) == 0;
}
