using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Ebb.Arena;
using Ebb.Heap;

namespace Ebb.DotNetHost;

/// <summary>The .NET host's reports of a refused free: the <see cref="EbbMemoryException"/> each error throws, with its one-line message.</summary>
internal static unsafe class FreeErrors
{
    /// <summary>Throws the exception for <paramref name="error"/> on <paramref name="p"/>.</summary>
    [DoesNotReturn]
    public static void Throw(FreeError error, void* p, BlockInfo info) => throw error switch
    {
        FreeError.DoubleFree => DoubleFree(p, info),
        FreeError.NeverHandedOut => new EbbMemoryException(EbbErrorKind.InvalidFree, (nint)p,
            $"the {info.Size}-byte block at {Hex((nuint)p)} was never handed out (it is free, carved from its page)", info.Size),
        _ => InvalidFree(p, info),
    };

    /// <summary>"0x" and the address in hex.</summary>
    public static string Hex(nuint a) => "0x" + a.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>The invalid-free report for <paramref name="p"/>.</summary>
    public static EbbMemoryException InvalidFree(void* p, BlockInfo info)
    {
        nuint a = (nuint)p;
        string what = info.Kind switch
        {
            BlockKind.Small or BlockKind.Large or BlockKind.Huge =>
                $"{Hex(a)} is {info.Offset} bytes inside the {info.Size}-byte block at {Hex(info.Start)}",
            BlockKind.Metadata => $"{Hex(a)} points into Ebb's own metadata, not at a block",
            BlockKind.FreeMemory => $"{Hex(a)} points into free memory, not at a live block",
            _ when IsOnStack(a) => $"{Hex(a)} is on the stack (just above the current frame), not a block Ebb allocated",
            _ => $"{Hex(a)} was not allocated by Ebb",
        };
        return new EbbMemoryException(EbbErrorKind.InvalidFree, (nint)a, what, info.Size);
    }

    /// <summary>The double-free report for <paramref name="p"/>.</summary>
    public static EbbMemoryException DoubleFree(void* p, BlockInfo info)
    {
        nuint a = (nuint)p;
        string what = info.Size == 0
            ? $"{Hex(a)} was already freed (its page is no longer in use)"
            : $"the {info.Size}-byte block at {Hex(a)} was already freed";
        return new EbbMemoryException(EbbErrorKind.DoubleFree, (nint)a, what, info.Size);
    }

    /// <summary>
    /// Whether <paramref name="a"/> lies in the calling thread's stack: the mapping of
    /// /proc/self/maps that holds it also holds a local of this frame. A distance test
    /// alone misnamed heap pointers (glibc puts thread arenas next to thread stacks); the
    /// report is an error path, so reading the maps file here costs nothing that matters.
    /// For the report's wording only: the pointer is refused either way.
    /// </summary>
    private static bool IsOnStack(nuint a)
    {
        byte probe = 0;
        nuint here = (nuint)(&probe);
        try
        {
            foreach (string line in File.ReadLines("/proc/self/maps"))
            {
                int dash = line.IndexOf('-'), space = line.IndexOf(' ');
                if (dash <= 0 || space <= dash) continue;
                nuint start = nuint.Parse(line.AsSpan(0, dash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                nuint end = nuint.Parse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                if (a >= start && a < end) return here >= start && here < end;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            // No maps to read: say nothing about the stack rather than guess.
        }
        return false;
    }
}
