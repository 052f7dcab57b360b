namespace Ebb.Proc.Pmap;

/// <summary>Which of pmap's layouts to print.</summary>
public enum PmapFormat
{
    /// <summary>No option: address, size, mode, mapping (from maps).</summary>
    Default,
    /// <summary><c>-x</c>: adds RSS and Dirty (from smaps).</summary>
    Extended,
    /// <summary><c>-d</c>: adds offset and device, and the mapped/writeable/shared footer (from maps).</summary>
    Device,
    /// <summary><c>-X</c>, <c>-XX</c>, <c>-c</c>, <c>-C</c>: the smaps fields as columns whose widths come from the data.</summary>
    Smaps,
}

/// <summary>Everything that shapes pmap's output, as parsed from its command line.</summary>
public sealed record PmapOptions
{
    /// <summary>The layout.</summary>
    public PmapFormat Format { get; init; } = PmapFormat.Default;

    /// <summary>How many times -X was given: 1 hides the less important fields, 2 or more shows all.</summary>
    public int SmapsLevel { get; init; }

    /// <summary>For -c/-C: the field names the rc file enables (Perm, Offset, Device, Inode, Mapping, VmFlags and smaps names); null otherwise.</summary>
    public IReadOnlySet<string>? RcFields { get; init; }

    /// <summary><c>-q</c>: no header and no footer.</summary>
    public bool Quiet { get; init; }

    /// <summary><c>-p</c> (or ShowPath in the rc file): the whole path instead of the file's base name.</summary>
    public bool ShowPath { get; init; }

    /// <summary><c>-A</c> low end: mappings ending at or below it are left out.</summary>
    public ulong RangeLow { get; init; }

    /// <summary><c>-A</c> high end: mappings starting above it are left out.</summary>
    public ulong RangeHigh { get; init; } = ulong.MaxValue;

    /// <summary>Whether the mapping [start, end) is inside the -A range, as procps tests it.</summary>
    public bool InRange(ulong start, ulong end) => !(end - 1 < RangeLow) && !(RangeHigh < start);

    /// <summary>procps's is_enabled: whether the -X/-XX/rc layout shows column <paramref name="name"/>.</summary>
    public bool IsEnabled(string name)
    {
        if (SmapsLevel == 1) return !IsUnimportant(name);
        if (RcFields is not null) return RcFields.Contains(name);
        return true;
    }

    private static bool IsUnimportant(string name) => name is "AnonHugePages" or "KernelPageSize" or "MMUPageSize"
        or "Shared_Dirty" or "Private_Dirty" or "Shared_Clean" or "Private_Clean" or "VmFlags";
}
