namespace Ebb.Arena;

/// <summary>
/// The settings the core reads, as plain values: each host fills them from its own options
/// (EbbOptions in .NET, the EBB_* environment in libebb.so) before the arena initializes,
/// and they do not change after.
/// </summary>
internal static class Settings
{
    /// <summary>The default purge delay in milliseconds.</summary>
    public const int DefaultPurgeDelayMs = 100;

    /// <summary>Milliseconds a free slice stays resident before it is purged: 0 = at once, -1 = never (only a trim).</summary>
    public static int PurgeDelayMs = DefaultPurgeDelayMs;

    /// <summary>How free slices are purged.</summary>
    public static EbbPurgeMode Purge = EbbPurgeMode.DontNeed;

    /// <summary>Where chunks come from.</summary>
    public static EbbPageSource PageSource = EbbPageSource.Mmap;

    /// <summary>Whether the host prints a line for each chunk reserved, region released and huge mapping.</summary>
    public static bool Verbose;

    /// <summary>How long a dead thread's heap waits for a new thread to take it over: the purge delay, or its default when purging is off.</summary>
    public static int HoldDeadMs => PurgeDelayMs >= 0 ? PurgeDelayMs : DefaultPurgeDelayMs;
}
