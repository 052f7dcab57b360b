namespace Ebb.Arena;

// libebb.so's arena lock: a pthread mutex in the C shim, which also takes it around fork
// (pthread_atfork), so a child never inherits it held.
internal static partial class ArenaLock
{
    public static partial void Enter() => NativeHost.Shim.ebb_shim_lock();

    public static partial void Exit() => NativeHost.Shim.ebb_shim_unlock();

    public static partial bool IsHeld => NativeHost.Shim.ebb_shim_lock_held() != 0;
}
