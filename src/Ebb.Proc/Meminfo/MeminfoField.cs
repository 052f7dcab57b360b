namespace Ebb.Proc;

/// <summary>
/// One line of <c>/proc/meminfo</c>: <c>Name:   value [unit]</c>. The kernel writes sizes in
/// kB (meaning KiB, 1024 bytes) and page counts (the <c>HugePages_*</c> lines) with no unit.
/// </summary>
/// <param name="Name">The field's name as the kernel spells it, e.g. <c>Active(anon)</c>.</param>
/// <param name="Value">The number as written: kibibytes when <see cref="Unit"/> is <c>kB</c>, a count otherwise.</param>
/// <param name="Unit">The unit as written: <c>kB</c>, or empty for a count.</param>
public readonly record struct MeminfoField(string Name, ulong Value, string Unit)
{
    /// <summary>True when the value is a size in kibibytes (unit <c>kB</c>).</summary>
    public bool IsSize => Unit == "kB";

    /// <summary>The size in bytes, or null for a count (a field without the <c>kB</c> unit).</summary>
    public ulong? Bytes => IsSize ? unchecked(Value * 1024) : null;
}
