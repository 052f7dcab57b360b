using System.Diagnostics;
using System.Text;

namespace Ebb.Checks;

/// <summary>
/// The whole report of an error a check found, in AddressSanitizer's order: Ebb's first line
/// (<c>ebb: ERROR: kind: what</c>), the access where it is known (<c>WRITE of size N at 0x…</c>)
/// and the thread, process and stack that detected the error, the block's region
/// (<c>0x… is located 0 bytes to the right of 20-byte region [0x…,0x…)</c>), the allocation
/// and free stacks, and a closing <c>SUMMARY: Ebb: kind file:line in Method (process P)</c>.
/// Made only when an error is found, so it may take a StackTrace and read symbols.
/// </summary>
internal static class ErrorReport
{
    /// <summary>The exception of an error a check found, its message the whole report.</summary>
    /// <param name="kind">What went wrong.</param>
    /// <param name="address">The address the error is about (the byte written, the pointer freed).</param>
    /// <param name="what">The first line's text after the kind.</param>
    /// <param name="blockSize">The block's requested size (0 when there is no block).</param>
    /// <param name="allocationStack">The <c>allocated by thread N at:</c> text, when known.</param>
    /// <param name="freeStack">The <c>freed by thread N at:</c> text, when known.</param>
    /// <param name="block">The block's first byte, for the region line (0: no block known).</param>
    /// <param name="access">The access, <c>WRITE of size N</c>, when known.</param>
    public static EbbMemoryException Error(EbbErrorKind kind, nint address, string what, nuint blockSize = 0,
        string? allocationStack = null, string? freeStack = null, nint block = 0, string? access = null)
    {
        string nl = Environment.NewLine;
        int pid = Environment.ProcessId;
        // The frames below Ebb's own: the program's call that ran into the check.
        string detected = Stack.Render(new StackTrace(1, false), symbolize: true);
        var sb = new StringBuilder(Report.FirstLine(kind, what)).Append(nl);
        if (access is not null) sb.Append(access).Append(" at ").Append(Report.Hex(address)).Append("; ");
        sb.Append("detected by thread ").Append(Environment.CurrentManagedThreadId).Append(" of process ").Append(pid).Append(" at:").Append(nl);
        sb.Append(detected).Append(nl);
        if (block != 0) sb.Append(Region(address, block, blockSize)).Append(nl);
        if (allocationStack is not null) sb.Append(allocationStack.TrimEnd()).Append(nl);
        if (freeStack is not null) sb.Append(freeStack.TrimEnd()).Append(nl);
        sb.Append("SUMMARY: Ebb: ").Append(EbbMemoryException.KindName(kind));
        string where = Where(detected);
        if (where.Length > 0) sb.Append(' ').Append(where);
        sb.Append(" (process ").Append(pid).Append(')');
        return new EbbMemoryException(kind, address, blockSize, allocationStack, freeStack, sb.ToString());
    }

    /// <summary>ASan's description of an address against a block: <c>0x… is located 3 bytes to the right of 13-byte region [0x…,0x…)</c>.</summary>
    public static string Region(nint address, nint block, nuint size)
    {
        nint end = block + (nint)size;
        string region = $"{size}-byte region [{Report.Hex(block)},{Report.Hex(end)})";
        string at = Report.Hex(address) + " is located ";
        if (address < block) return $"{at}{block - address} bytes to the left of {region}";
        if (address >= end) return $"{at}{address - end} bytes to the right of {region}";
        return $"{at}{address - block} bytes inside of {region}";
    }

    /// <summary>The summary's place, from the first frame: <c>/src/File.cs:line 12 in Type.Method</c> (<c>in Type.Method</c> without symbols).</summary>
    public static string Where(string frames)
    {
        string first = frames.Split('\n')[0].Trim();
        if (!first.StartsWith("at ", StringComparison.Ordinal)) return "";
        string frame = first[3..];
        int i = frame.IndexOf(" in ", StringComparison.Ordinal);
        return i < 0 ? "in " + frame : $"{frame[(i + 4)..]} in {frame[..i]}";
    }
}
