namespace Ebb.Proc;

/// <summary>
/// A parsed <c>/proc/meminfo</c>: every field, in the kernel's order, including the ones
/// this code has no name for. Look-ups by name return the last line of that name, as
/// procps's hash table does.
/// </summary>
public sealed class Meminfo
{
    private readonly Dictionary<string, ulong> _byName;

    /// <summary>Wraps <paramref name="fields"/> (kept in the given order).</summary>
    /// <param name="fields">The fields, in file order.</param>
    public Meminfo(IReadOnlyList<MeminfoField> fields)
    {
        Fields = fields;
        _byName = new Dictionary<string, ulong>(fields.Count, StringComparer.Ordinal);
        foreach (var f in fields) _byName[f.Name] = f.Value;
    }

    /// <summary>Every field, in file (kernel) order.</summary>
    public IReadOnlyList<MeminfoField> Fields { get; }

    /// <summary>The value of <paramref name="name"/>, or 0 when the file has no such line (procps's rule: absent reads as 0).</summary>
    /// <param name="name">The field name, e.g. <c>MemAvailable</c>.</param>
    public ulong this[string name] => _byName.GetValueOrDefault(name);

    /// <summary>Whether the file has a line named <paramref name="name"/>.</summary>
    /// <param name="name">The field name.</param>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Gets the value of <paramref name="name"/> if the file has it.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="value">The value as written (kB for sizes).</param>
    public bool TryGet(string name, out ulong value) => _byName.TryGetValue(name, out value);
}
