using System.Runtime.CompilerServices;

namespace Ebb.Proc.Vdso;

/// <summary>
/// <c>clock_gettime</c> called straight through the vDSO's own function pointer, found by
/// parsing this process's vDSO: no libc, no system call (on a clock source the vDSO can
/// read, such as tsc or kvm-clock; on others the vDSO itself falls back to the system call).
/// </summary>
public sealed unsafe class VdsoClock
{
    /// <summary>CLOCK_REALTIME: wall-clock time.</summary>
    public const int Realtime = 0;

    /// <summary>CLOCK_MONOTONIC: time since an unspecified start, never jumping.</summary>
    public const int Monotonic = 1;

    private readonly delegate* unmanaged<int, Timespec*, int> _function;

    private VdsoClock(ElfSymbol symbol)
    {
        Symbol = symbol;
        _function = (delegate* unmanaged<int, Timespec*, int>)(nint)symbol.Address;
    }

    /// <summary>The symbol called (<c>__vdso_clock_gettime</c>, or its alias <c>clock_gettime</c>).</summary>
    public ElfSymbol Symbol { get; }

    /// <summary>The address called, inside this process's <c>[vdso]</c> mapping.</summary>
    public nint Address => (nint)Symbol.Address;

    /// <summary>Resolves <c>clock_gettime</c> in this process's vDSO.</summary>
    /// <exception cref="VdsoException">There is no vDSO, or it has no clock_gettime.</exception>
    public static VdsoClock ForSelf() => FromImage(VdsoReader.ReadSelf());

    /// <summary>
    /// Resolves <c>clock_gettime</c> in <paramref name="image"/>, which must be this process's
    /// live vDSO (checked against AT_SYSINFO_EHDR): calling into any other image would jump to
    /// an address that holds something else.
    /// </summary>
    /// <exception cref="VdsoException">The image is not this process's vDSO or lacks the symbol.</exception>
    public static VdsoClock FromImage(ElfImage image)
    {
        ulong self = (ulong)Libc.getauxval((nuint)VdsoReader.AT_SYSINFO_EHDR);
        if (image.Address != self || self == 0)
            throw new VdsoException("only this process's own vDSO can be called");
        var symbol = image.Find("__vdso_clock_gettime") ?? image.Find("clock_gettime");
        if (symbol is null || symbol.Type != ElfSymbolType.Function)
            throw new VdsoException("the vDSO has no clock_gettime function");
        if (symbol.Address < image.Address || symbol.Address >= image.Address + (ulong)image.Size)
            throw new VdsoException($"the vDSO's clock_gettime at 0x{symbol.Address:x} lies outside the image");
        return new VdsoClock(symbol);
    }

    /// <summary>Calls the vDSO's clock_gettime; returns the time in nanoseconds.</summary>
    /// <param name="clockId">A clock id such as <see cref="Monotonic"/>.</param>
    /// <exception cref="ArgumentException">The vDSO refused the clock id.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // timed by VdsoBench from its first call
    public long GetTime(int clockId)
    {
        Timespec ts;
        int rc = _function(clockId, &ts);
        // The vDSO returns -errno itself rather than setting errno (it has no errno to set).
        if (rc != 0) throw new ArgumentException($"clock_gettime through the vDSO failed ({rc}) for clock {clockId}", nameof(clockId));
        return ts.Seconds * 1_000_000_000L + ts.Nanoseconds;
    }
}
