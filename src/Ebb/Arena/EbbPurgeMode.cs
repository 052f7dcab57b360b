// A public option type: users find it in namespace Ebb beside EbbOptions, and the core, which
// reads it, sits below the API layer, so it is declared here (IDE0130 would want Ebb.Arena).
#pragma warning disable IDE0130
namespace Ebb;
#pragma warning restore IDE0130

/// <summary>How free slices are given back to the OS.</summary>
public enum EbbPurgeMode
{
    /// <summary><c>madvise(MADV_DONTNEED)</c>: pages dropped at once, RSS falls at once, memory reads back as zeros.</summary>
    DontNeed,
    /// <summary><c>madvise(MADV_FREE)</c>: the kernel reclaims lazily, under memory pressure; cheaper, RSS falls later.</summary>
    Free,
}
