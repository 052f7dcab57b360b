namespace Ebb;

/// <summary>The kinds of heap error Ebb reports, named as in the report's first line.</summary>
public enum EbbErrorKind
{
    /// <summary><c>invalid-free</c>: a pointer Ebb did not hand out (foreign, interior, on the stack) was freed or reallocated.</summary>
    InvalidFree,
    /// <summary><c>double-free</c>: a block was freed a second time.</summary>
    DoubleFree,
    /// <summary><c>heap-buffer-overflow</c>: a write (or read) past the end of a block.</summary>
    HeapBufferOverflow,
    /// <summary><c>heap-buffer-underflow</c>: a write (or read) before the start of a block.</summary>
    HeapBufferUnderflow,
    /// <summary><c>heap-use-after-free</c>: a freed block was written or read.</summary>
    HeapUseAfterFree,
    /// <summary><c>memory-leak</c>: blocks still live when the report was asked for (at exit, or on demand).</summary>
    MemoryLeak,
    /// <summary><c>heap-corruption</c>: the allocator's own structures are inconsistent.</summary>
    HeapCorruption,
}

/// <summary>
/// A heap error Ebb caught. The first line of <see cref="Exception.Message"/> is
/// <c>ebb: ERROR: &lt;kind&gt;: &lt;what happened&gt;</c>, e.g.
/// <c>ebb: ERROR: invalid-free: 0x7f… is 8 bytes inside the 64-byte block at 0x7f…</c>;
/// the lines after it name the allocation and free stacks where they were captured.
/// </summary>
public sealed class EbbMemoryException : Exception
{
    /// <summary>Creates the exception; <paramref name="what"/> is the text after <c>ebb: ERROR: kind: </c>.</summary>
    /// <param name="kind">What went wrong.</param>
    /// <param name="address">The address the error is about (the pointer freed, the byte written).</param>
    /// <param name="what">One sentence saying where the access fell relative to the block.</param>
    /// <param name="blockSize">The size the block was allocated with, or 0 when there is no block.</param>
    /// <param name="allocationStack">The allocation's rendered stack, when captured.</param>
    /// <param name="freeStack">The free's rendered stack, for use after free and double free, when captured.</param>
    public EbbMemoryException(EbbErrorKind kind, nint address, string what, nuint blockSize = 0,
        string? allocationStack = null, string? freeStack = null)
        : base(Render(kind, what, allocationStack, freeStack))
    {
        Kind = kind;
        Address = address;
        BlockSize = blockSize;
        AllocationStack = allocationStack;
        FreeStack = freeStack;
    }

    // The checks' reports: the whole text made by Checks.ErrorReport (access, region, stacks, summary).
    internal EbbMemoryException(EbbErrorKind kind, nint address, nuint blockSize, string? allocationStack, string? freeStack, string report)
        : base(report)
    {
        Kind = kind;
        Address = address;
        BlockSize = blockSize;
        AllocationStack = allocationStack;
        FreeStack = freeStack;
    }

    /// <summary>Set once the report was printed to stderr as it was thrown (so it is printed once).</summary>
    internal bool Printed { get; set; }

    /// <summary>What went wrong.</summary>
    public EbbErrorKind Kind { get; }

    /// <summary>The address the error is about.</summary>
    public nint Address { get; }

    /// <summary>The requested size of the block involved, or 0 when no block is known.</summary>
    public nuint BlockSize { get; }

    /// <summary>The stack that allocated the block (rendered, one frame a line), when captured.</summary>
    public string? AllocationStack { get; }

    /// <summary>The stack that freed the block, when captured (use after free, double free).</summary>
    public string? FreeStack { get; }

    /// <summary>The kind as the report prints it: <c>heap-buffer-overflow</c>, <c>invalid-free</c>, ….</summary>
    public static string KindName(EbbErrorKind kind) => kind switch
    {
        EbbErrorKind.InvalidFree => "invalid-free",
        EbbErrorKind.DoubleFree => "double-free",
        EbbErrorKind.HeapBufferOverflow => "heap-buffer-overflow",
        EbbErrorKind.HeapBufferUnderflow => "heap-buffer-underflow",
        EbbErrorKind.HeapUseAfterFree => "heap-use-after-free",
        EbbErrorKind.MemoryLeak => "memory-leak",
        EbbErrorKind.HeapCorruption => "heap-corruption",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static string Render(EbbErrorKind kind, string what, string? allocationStack, string? freeStack)
    {
        var text = $"ebb: ERROR: {KindName(kind)}: {what}";
        if (allocationStack is not null) text += Environment.NewLine + allocationStack.TrimEnd();
        if (freeStack is not null) text += Environment.NewLine + freeStack.TrimEnd();
        return text;
    }
}
