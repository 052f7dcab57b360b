using Ebb.Checks;

namespace Ebb;

public static unsafe partial class EbbMemory
{
    /// <summary>
    /// Writes the leak report of checked mode (<c>EBB_CHECK=1</c>) now: the blocks still live,
    /// grouped by allocation stack, largest total first, under a first line
    /// <c>ebb: ERROR: memory-leak: N bytes in M blocks</c>. Writes nothing when no block is
    /// live or when checked mode is off (there is no live table then).
    /// </summary>
    /// <param name="writer">Where the report goes, e.g. <see cref="Console.Error"/>.</param>
    /// <returns>True when a report was written.</returns>
    public static bool ReportLeaks(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return Checker.ReportLeaks(writer);
    }
}
