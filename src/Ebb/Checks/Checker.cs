namespace Ebb.Checks;

/// <summary>
/// The seam between the public API and the checked and guarded modes. Every public
/// allocation method of <c>EbbMemory</c> starts with <c>if (Checker.Enabled) return Checker.X(...)</c>;
/// <see cref="Enabled"/> is a static readonly field, so in release mode the JIT folds
/// the test away and the fast path pays nothing.
/// (Scaffolding: the checks work replaces this file with the real modes.)
/// </summary>
internal static unsafe class Checker
{
    /// <summary>True when EBB_CHECK or EBB_GUARD selected a checking mode at start-up.</summary>
    internal static readonly bool Enabled = false;

    internal static void* Alloc(nuint byteCount, nuint alignment, bool zero) => throw new NotSupportedException();

    internal static void Free(void* ptr) => throw new NotSupportedException();

    internal static void* Realloc(void* ptr, nuint byteCount, nuint alignment) => throw new NotSupportedException();

    internal static nuint UsableSize(void* ptr) => throw new NotSupportedException();
}
