namespace Ebb
{
    /// <summary>How free slices are given back to the OS.</summary>
    public enum EbbPurgeMode
    {
        /// <summary><c>madvise(MADV_DONTNEED)</c>: pages dropped at once, RSS falls at once, memory reads back as zeros.</summary>
        DontNeed,
        /// <summary><c>madvise(MADV_FREE)</c>: the kernel reclaims lazily, under memory pressure; cheaper, RSS falls later.</summary>
        Free,
    }

    /// <summary>Where the arena takes its chunks from.</summary>
    public enum EbbPageSource
    {
        /// <summary>Anonymous mappings (the default).</summary>
        Mmap,
        /// <summary>The program break (brk): only the top can shrink, so free pages under a live one go back only through madvise.</summary>
        Brk,
    }
}

namespace Ebb.Arena
{
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
}
