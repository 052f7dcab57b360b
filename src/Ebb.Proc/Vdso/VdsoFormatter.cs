using System.Globalization;
using System.Text;

namespace Ebb.Proc.Vdso;

/// <summary>
/// Text for <c>ebb vdso</c>: pure functions from parsed records to lines, so they can be
/// tested on fixture images.
/// </summary>
public static class VdsoFormatter
{
    /// <summary>
    /// The image's place and size, its versions, then one line per function symbol:
    /// address, size, type, binding and the versioned name (<c>__vdso_time@@LINUX_2.6</c>).
    /// </summary>
    /// <param name="image">The parsed image.</param>
    /// <param name="whose">Whose vDSO it is, for the first line: <c>this process</c>, <c>process 1234</c>, a file name.</param>
    public static string Format(ElfImage image, string whose)
    {
        var sb = new StringBuilder();
        string place = image.Address is ulong a
            ? $"0x{a:x}-0x{a + (ulong)image.Size:x} ({image.Size} bytes)"
            : $"{image.Size} bytes, not mapped: addresses are link-time values";
        sb.Append(CultureInfo.InvariantCulture, $"vDSO of {whose}: {place}");
        if (image.SoName is not null) sb.Append(", ").Append(image.SoName);
        sb.Append('\n');
        var versions = image.Versions.Where(v => !v.IsBase).Select(v => v.Name).ToList();
        var functions = image.Functions;
        sb.Append(CultureInfo.InvariantCulture,
            $"versions: {(versions.Count == 0 ? "none" : string.Join(", ", versions))}; {image.Symbols.Count} dynamic symbols (counted by {image.SymbolCountSource}), {functions.Count} functions\n");
        sb.Append('\n');
        sb.Append("ADDRESS               SIZE  TYPE   BIND    SYMBOL\n");
        foreach (var s in functions)
            sb.Append(CultureInfo.InvariantCulture,
                $"0x{s.Address:x16} {s.Size,6}  {TypeName(s.Type),-5}  {BindingName(s.Binding),-6}  {s.DisplayName}\n");
        return sb.ToString();
    }

    /// <summary>The timing of <see cref="VdsoBench"/>: both per-call costs and their ratio.</summary>
    public static string FormatBench(VdsoBenchResult r, string? clockSource)
    {
        var sb = new StringBuilder();
        string clock = r.ClockId switch { VdsoClock.Realtime => "CLOCK_REALTIME", VdsoClock.Monotonic => "CLOCK_MONOTONIC", _ => r.ClockId.ToString(CultureInfo.InvariantCulture) };
        sb.Append(CultureInfo.InvariantCulture, $"clock_gettime({clock}), {r.Calls} calls each");
        if (clockSource is not null) sb.Append(", clock source ").Append(clockSource);
        sb.Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"  vDSO     {r.VdsoNanoseconds,9:F1} ns/call   {r.Symbol.DisplayName} at 0x{r.Symbol.Address:x}\n");
        sb.Append(CultureInfo.InvariantCulture, $"  syscall  {r.SyscallNanoseconds,9:F1} ns/call   syscall(SYS_clock_gettime), entering the kernel\n");
        sb.Append(CultureInfo.InvariantCulture, $"  ratio    {r.Ratio,9:F1}x          the system call costs {r.Ratio:F1} times the vDSO call\n");
        return sb.ToString();
    }

    /// <summary>The short name readelf uses for a symbol type.</summary>
    public static string TypeName(ElfSymbolType t) => t switch
    {
        ElfSymbolType.NoType => "NOTYPE",
        ElfSymbolType.Object => "OBJECT",
        ElfSymbolType.Function => "FUNC",
        ElfSymbolType.Section => "SECTION",
        ElfSymbolType.File => "FILE",
        ElfSymbolType.Common => "COMMON",
        ElfSymbolType.Tls => "TLS",
        ElfSymbolType.GnuIndirectFunction => "IFUNC",
        _ => ((int)t).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The short name readelf uses for a symbol binding.</summary>
    public static string BindingName(ElfSymbolBinding b) => b switch
    {
        ElfSymbolBinding.Local => "LOCAL",
        ElfSymbolBinding.Global => "GLOBAL",
        ElfSymbolBinding.Weak => "WEAK",
        ElfSymbolBinding.GnuUnique => "UNIQUE",
        _ => ((int)b).ToString(CultureInfo.InvariantCulture),
    };
}
