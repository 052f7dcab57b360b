namespace Ebb.Proc;

/// <summary>
/// The field names of an smaps entry, in kernel order, shared by every entry with the same
/// names (all of them, on one kernel), so 50,000 entries hold one copy of the names.
/// </summary>
public sealed class SmapsLayout
{
    internal SmapsLayout(string[] names, bool[] inKilobytes)
    {
        Names = names;
        InKilobytes = inKilobytes;
    }

    /// <summary>Field names in the order the kernel wrote them, without the colon (VmFlags excluded).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>For each field, whether its value carried the <c>kB</c> unit (THPeligible and ProtectionKey do not).</summary>
    public IReadOnlyList<bool> InKilobytes { get; }

    /// <summary>Index of <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name)
    {
        for (int i = 0; i < Names.Count; i++)
            if (Names[i] == name) return i;
        return -1;
    }
}

/// <summary>One named numeric field of an smaps entry.</summary>
/// <param name="Name">The name as the kernel wrote it, e.g. <c>Private_Dirty</c>.</param>
/// <param name="Value">The number (kB for fields with a unit).</param>
/// <param name="InKilobytes">Whether the kernel wrote a <c>kB</c> unit.</param>
public readonly record struct SmapsField(string Name, ulong Value, bool InKilobytes);

/// <summary>
/// One entry of /proc/PID/smaps (or the single entry of smaps_rollup): the maps line, every
/// numeric field in kernel order (including those this code has never heard of), and VmFlags.
/// </summary>
public sealed class SmapsEntry
{
    private readonly ulong[] _values;

    /// <summary>Creates an entry.</summary>
    /// <param name="map">The header line.</param>
    /// <param name="layout">The field names.</param>
    /// <param name="values">One value per name in <paramref name="layout"/>.</param>
    /// <param name="vmFlags">The VmFlags text (two-letter flags separated by spaces), or null when absent.</param>
    public SmapsEntry(MapEntry map, SmapsLayout layout, ulong[] values, string? vmFlags)
    {
        if (values.Length != layout.Names.Count) throw new ArgumentException("one value per field name", nameof(values));
        Map = map;
        Layout = layout;
        _values = values;
        VmFlags = vmFlags;
    }

    /// <summary>The mapping itself (the header line).</summary>
    public MapEntry Map { get; }

    /// <summary>The field names, shared with other entries.</summary>
    public SmapsLayout Layout { get; }

    /// <summary>Field values, in the order of <see cref="Layout"/>.</summary>
    public ReadOnlySpan<ulong> Values => _values;

    /// <summary>The VmFlags line's flags (e.g. <c>rd wr mr mw me ac</c>, trailing space removed), or null.</summary>
    public string? VmFlags { get; }

    /// <summary>Every field as a name/value pair, in kernel order.</summary>
    public IEnumerable<SmapsField> Fields
    {
        get
        {
            for (int i = 0; i < _values.Length; i++)
                yield return new SmapsField(Layout.Names[i], _values[i], Layout.InKilobytes[i]);
        }
    }

    /// <summary>The value of field <paramref name="name"/>, or null when the kernel did not write it.</summary>
    public ulong? this[string name]
    {
        get
        {
            int i = Layout.IndexOf(name);
            return i < 0 ? null : _values[i];
        }
    }

    /// <summary>Size of the mapping, kB.</summary>
    public ulong SizeKb => this["Size"] ?? 0;
    /// <summary>Resident set, kB.</summary>
    public ulong RssKb => this["Rss"] ?? 0;
    /// <summary>Proportional set size, kB.</summary>
    public ulong PssKb => this["Pss"] ?? 0;
    /// <summary>Resident pages shared with other processes and clean, kB.</summary>
    public ulong SharedCleanKb => this["Shared_Clean"] ?? 0;
    /// <summary>Resident pages shared and dirty, kB.</summary>
    public ulong SharedDirtyKb => this["Shared_Dirty"] ?? 0;
    /// <summary>Resident pages private and clean, kB.</summary>
    public ulong PrivateCleanKb => this["Private_Clean"] ?? 0;
    /// <summary>Resident pages private and dirty, kB.</summary>
    public ulong PrivateDirtyKb => this["Private_Dirty"] ?? 0;
    /// <summary>Anonymous memory, kB.</summary>
    public ulong AnonymousKb => this["Anonymous"] ?? 0;
    /// <summary>Swapped out, kB.</summary>
    public ulong SwapKb => this["Swap"] ?? 0;
}
