using System.Runtime.CompilerServices;

namespace Ebb.Heap;

/// <summary>
/// The push of a lock-free LIFO list (a Treiber stack) that the core uses twice: a remote free
/// onto a page's ThreadFree list, and a dying thread's heap onto the dead-heap list. Only pushes
/// are concurrent; whoever empties a list takes it whole with one exchange, so there is no ABA.
/// </summary>
internal static unsafe class LockFreeList
{
    /// <summary>
    /// Pushes <paramref name="item"/> on the list whose head is at <paramref name="head"/>;
    /// <paramref name="link"/> is the item's own link field, set to the old head before the item
    /// is published.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Push(nint* head, nint item, nint* link)
    {
        nint old = Volatile.Read(ref *head);
        while (true)
        {
            *link = old;
            nint seen = Interlocked.CompareExchange(ref *head, item, old);
            if (seen == old) return;
            old = seen;
        }
    }
}
