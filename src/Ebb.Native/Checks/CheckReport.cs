namespace Ebb.Checks;

/// <summary>What went wrong, as the C# checks found it and the shim prints it (native/libebb/ebb_check.c's
/// <c>ebb_check_report</c>: the same fields in the same order, all 8 bytes wide).</summary>
internal struct CheckReport
{
    public long Kind;
    public long When;
    public nuint Address;
    public nuint Block;
    public nuint Size;
    /// <summary>Changed bytes: offsets of the first and last from the block's start (negative: before it).</summary>
    public long First;
    public long Last;
    public long AllocStack;
    public long FreeStack;
    public long AllocTid;
    public long FreeTid;
    /// <summary>0 none known, 1 read, 2 write.</summary>
    public long Access;
}

/// <summary>Error kinds (the shim names them).</summary>
internal static class ErrorKind
{
    public const int None = 0, Overflow = 1, Underflow = 2, UseAfterFree = 3, DoubleFree = 4, InvalidFree = 5,
        Foreign = 6, Plain = 7;
}

/// <summary>When an error was found.</summary>
internal static class Found
{
    public const int AtFree = 0, LeavingQuarantine = 1, AtExit = 2, AtRealloc = 3, AtFault = 4;
}
