namespace Ebb.Checks;

/// <summary>
/// The sentences of a report: pure functions from numbers to the text after
/// <c>ebb: ERROR: kind: </c>. The managed checks and (by the same wording, in C) the
/// native fault reporter both follow them, so every path prints one form.
/// </summary>
internal static class Report
{
    /// <summary>An address as the reports print it: <c>0x7f…</c>, lower-case hex.</summary>
    public static string Hex(nint address) => "0x" + ((nuint)address).ToString("x");

    /// <summary><c>1 byte</c> or <c>N bytes</c>.</summary>
    public static string Bytes(nuint n) => n == 1 ? "1 byte" : $"{n} bytes";

    /// <summary>Where an address falls relative to a block: <c>3 bytes after the 16-byte block at 0x…</c>.</summary>
    /// <param name="address">The address of the access.</param>
    /// <param name="block">The block's first byte.</param>
    /// <param name="size">The block's requested size.</param>
    /// <param name="freed">Whether the block has been freed (says "freed").</param>
    public static string Where(nint address, nint block, nuint size, bool freed = false)
    {
        string name = $"the {(freed ? "freed " : "")}{size}-byte block at {Hex(block)}";
        if (address < block) return $"{Bytes((nuint)(block - address))} before {name}";
        nuint offset = (nuint)(address - block);
        return offset >= size ? $"{Bytes(offset - size)} after {name}" : $"{Bytes(offset)} inside {name}";
    }

    /// <summary>A redzone or poison found changed: <c>1 byte written 0 bytes after the 13-byte block at 0x…, found at free</c>.</summary>
    /// <param name="count">How many bytes, from the first changed one to the last.</param>
    /// <param name="first">The changed byte nearest the block (for an underflow) or first (otherwise).</param>
    /// <param name="block">The block's first byte.</param>
    /// <param name="size">The block's requested size.</param>
    /// <param name="freed">Whether the block is freed (write after free).</param>
    /// <param name="when">When it was found: <c>at free</c>, <c>by Validate()</c>, ….</param>
    public static string Written(nuint count, nint first, nint block, nuint size, bool freed, string when) =>
        $"{Bytes(count)} written {Where(first, block, size, freed)}, found {when}";

    /// <summary>A free of a block already freed.</summary>
    public static string DoubleFree(string op, nint block, nuint size) =>
        $"{op} of {Hex(block)}, the {size}-byte block already freed";

    /// <summary>A free of a pointer inside a block but not at its start.</summary>
    public static string Interior(string op, nint pointer, nint block, nuint size) =>
        $"{op} of {Hex(pointer)}, which is {Where(pointer, block, size)}";

    /// <summary>A free of a pointer Ebb never handed out.</summary>
    public static string Foreign(string op, nint pointer) =>
        $"{op} of {Hex(pointer)}, which is not a block Ebb allocated";

    /// <summary>The first line's text of a leak report.</summary>
    public static string Leaks(nuint bytes, int blocks) => $"{Count(bytes, "byte")} in {Count((nuint)blocks, "block")}";

    /// <summary><c>1 block</c>, <c>3 blocks</c>: a count with its noun in the right number.</summary>
    public static string Count(nuint n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    /// <summary>The first line, <c>ebb: ERROR: kind: what</c>.</summary>
    public static string FirstLine(EbbErrorKind kind, string what) =>
        $"ebb: ERROR: {EbbMemoryException.KindName(kind)}: {what}";
}
