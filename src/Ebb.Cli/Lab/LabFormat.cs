namespace Ebb.Cli.Lab;

/// <summary>Number formats shared by the experiments' printers.</summary>
internal static class LabFormat
{
    /// <summary>An address as the kernel prints it in maps: lower-case hex, no leading zeros.</summary>
    public static string Hex(ulong address) => $"0x{address:x}";

    /// <summary>A byte count in the largest unit that keeps it at least 1 (B, KiB, MiB, GiB).</summary>
    public static string Bytes(double bytes) => bytes switch
    {
        < 1024 => $"{bytes:0} B",
        < 1024 * 1024 => $"{bytes / 1024:0.#} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024 * 1024):0.#} MiB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):0.##} GiB",
    };

    /// <summary>A kB figure from /proc as bytes in the largest unit.</summary>
    public static string Kb(ulong kb) => Bytes(kb * 1024.0);
}
