namespace Ebb.Arena;

/// <summary>
/// The one lock of the slow paths: chunks, spans, abandoned pages, dead heaps, the heap pool,
/// huge blocks. Taken with <c>using (ArenaLock.Hold()) { … }</c>. Each host supplies the lock
/// itself (.NET's <see cref="System.Threading.Lock"/>; a futex in libebb.so). Not reentrant.
/// </summary>
internal static partial class ArenaLock
{
    /// <summary>Takes the lock until the returned scope is disposed.</summary>
    public static Scope Hold()
    {
        Enter();
        return default;
    }

    /// <summary>Holds the lock until disposed (a ref struct: no allocation, disposed in a finally).</summary>
    public ref struct Scope
    {
        /// <summary>Gives the lock back.</summary>
        public readonly void Dispose() => Exit();
    }

    /// <summary>Takes the lock, waiting while another thread holds it.</summary>
    public static partial void Enter();

    /// <summary>Gives the lock back.</summary>
    public static partial void Exit();

    /// <summary>Whether the calling thread holds the lock (for Debug.Assert; the native host answers whether anyone does).</summary>
    public static partial bool IsHeld { get; }
}
