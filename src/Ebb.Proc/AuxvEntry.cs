using System.Buffers.Binary;

namespace Ebb.Proc;

/// <summary>One entry of the ELF auxiliary vector (/proc/PID/auxv, getauxval(3)).</summary>
/// <param name="Type">The <c>AT_*</c> key.</param>
/// <param name="Value">Its value (an address, a number or a flag set).</param>
public readonly record struct AuxvEntry(ulong Type, ulong Value)
{
    /// <summary>The key's name, e.g. <c>AT_SYSINFO_EHDR</c>, or <c>AT_&lt;n&gt;</c> for unknown keys.</summary>
    public string TypeName => s_typeNames.TryGetValue(Type, out var n) ? n : $"AT_{Type}";

    /// <summary>AT_NULL: ends the vector.</summary>
    public const ulong AT_NULL = 0;
    /// <summary>AT_PHDR: address of the program headers.</summary>
    public const ulong AT_PHDR = 3;
    /// <summary>AT_PAGESZ: the page size.</summary>
    public const ulong AT_PAGESZ = 6;
    /// <summary>AT_ENTRY: the program's entry point.</summary>
    public const ulong AT_ENTRY = 9;
    /// <summary>AT_SYSINFO_EHDR: address of the vDSO's ELF header.</summary>
    public const ulong AT_SYSINFO_EHDR = 33;

    private static readonly Dictionary<ulong, string> s_typeNames = new()
    {
        [0] = "AT_NULL", [1] = "AT_IGNORE", [2] = "AT_EXECFD", [3] = "AT_PHDR", [4] = "AT_PHENT",
        [5] = "AT_PHNUM", [6] = "AT_PAGESZ", [7] = "AT_BASE", [8] = "AT_FLAGS", [9] = "AT_ENTRY",
        [10] = "AT_NOTELF", [11] = "AT_UID", [12] = "AT_EUID", [13] = "AT_GID", [14] = "AT_EGID",
        [15] = "AT_PLATFORM", [16] = "AT_HWCAP", [17] = "AT_CLKTCK", [23] = "AT_SECURE",
        [24] = "AT_BASE_PLATFORM", [25] = "AT_RANDOM", [26] = "AT_HWCAP2", [27] = "AT_RSEQ_FEATURE_SIZE",
        [28] = "AT_RSEQ_ALIGN", [29] = "AT_HWCAP3", [30] = "AT_HWCAP4", [31] = "AT_EXECFN",
        [33] = "AT_SYSINFO_EHDR", [51] = "AT_MINSIGSTKSZ",
    };
}

/// <summary>Parses /proc/PID/auxv: pairs of native 64-bit words, up to and including AT_NULL.</summary>
public static class AuxvParser
{
    /// <summary>Reads and parses <c>ROOT/PID/auxv</c> (reading another user's needs ptrace access).</summary>
    /// <exception cref="ProcReadException">The file is missing, unreadable or malformed.</exception>
    public static List<AuxvEntry> Read(string pid, string root = ProcPaths.DefaultRoot)
    {
        string path = ProcPaths.For(root, pid, "auxv");
        var data = ProcFile.ReadAll(path, out int length);
        return Parse(data.AsSpan(0, length), path);
    }

    /// <summary>Parses auxv bytes (little-endian x86-64 layout). The AT_NULL terminator is not returned.</summary>
    /// <exception cref="ProcReadException">The length is not a whole number of pairs, or AT_NULL is missing.</exception>
    public static List<AuxvEntry> Parse(ReadOnlySpan<byte> data, string source = "auxv")
    {
        if (data.Length % 16 != 0)
            throw new ProcReadException(ProcReadErrorKind.Truncated, source, $"{data.Length} bytes is not a whole number of 16-byte entries");
        var list = new List<AuxvEntry>(data.Length / 16);
        for (int i = 0; i < data.Length; i += 16)
        {
            ulong type = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]);
            ulong value = BinaryPrimitives.ReadUInt64LittleEndian(data[(i + 8)..]);
            if (type == AuxvEntry.AT_NULL) return list;
            list.Add(new AuxvEntry(type, value));
        }
        throw new ProcReadException(ProcReadErrorKind.Truncated, source, "no AT_NULL entry at the end");
    }
}
