namespace Ebb.Arena;

// The .NET host's arena lock: System.Threading.Lock, which spins briefly and then blocks.
internal static partial class ArenaLock
{
    private static readonly Lock s_gate = new();

    public static partial void Enter() => s_gate.Enter();

    public static partial void Exit() => s_gate.Exit();

    public static partial bool IsHeld => s_gate.IsHeldByCurrentThread;
}
