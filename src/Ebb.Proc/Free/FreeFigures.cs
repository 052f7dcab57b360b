namespace Ebb.Proc.Free;

/// <summary>
/// The figures <c>free</c> prints, in kibibytes, as procps-ng 4.0.2's library derives them
/// from meminfo (see <see cref="FreeCalculator"/>). Values are unsigned as in procps: a
/// figure that went below zero has wrapped, and prints as negative because procps's
/// printing turns it back into a signed number.
/// </summary>
public readonly record struct FreeFigures
{
    /// <summary>MemTotal.</summary>
    public ulong MemTotal { get; init; }
    /// <summary>Total minus available (or minus MemFree when that would go below zero).</summary>
    public ulong MemUsed { get; init; }
    /// <summary>MemFree.</summary>
    public ulong MemFree { get; init; }
    /// <summary>Shmem.</summary>
    public ulong Shared { get; init; }
    /// <summary>Buffers.</summary>
    public ulong Buffers { get; init; }
    /// <summary>Cached plus SReclaimable (procps's "cache").</summary>
    public ulong Cache { get; init; }
    /// <summary>MemAvailable, or MemFree when it is missing, zero or above MemTotal.</summary>
    public ulong Available { get; init; }
    /// <summary>LowTotal, or MemTotal when the kernel has no low/high split.</summary>
    public ulong LowTotal { get; init; }
    /// <summary>LowTotal minus LowFree (0 when LowFree is not below LowTotal).</summary>
    public ulong LowUsed { get; init; }
    /// <summary>LowFree, or MemFree when the kernel has no low/high split.</summary>
    public ulong LowFree { get; init; }
    /// <summary>HighTotal.</summary>
    public ulong HighTotal { get; init; }
    /// <summary>HighTotal minus HighFree (0 when HighFree is not below HighTotal).</summary>
    public ulong HighUsed { get; init; }
    /// <summary>HighFree.</summary>
    public ulong HighFree { get; init; }
    /// <summary>SwapTotal.</summary>
    public ulong SwapTotal { get; init; }
    /// <summary>SwapTotal minus SwapFree (0 when SwapFree is not below SwapTotal).</summary>
    public ulong SwapUsed { get; init; }
    /// <summary>SwapFree.</summary>
    public ulong SwapFree { get; init; }
    /// <summary>CommitLimit.</summary>
    public ulong CommitLimit { get; init; }
    /// <summary>Committed_AS.</summary>
    public ulong CommittedAs { get; init; }
}
