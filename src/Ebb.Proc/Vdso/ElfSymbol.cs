namespace Ebb.Proc.Vdso;

/// <summary>
/// One entry of an ELF image's dynamic symbol table, with its symbol version.
/// </summary>
/// <param name="Index">The entry's index in the table (its index in DT_VERSYM too).</param>
/// <param name="Name">The symbol's name, e.g. <c>__vdso_clock_gettime</c>.</param>
/// <param name="Value">The link-time value <c>st_value</c> (an address relative to the image's own vaddrs).</param>
/// <param name="Address">Where the symbol is in the mapped image: <see cref="Value"/> plus the load bias.</param>
/// <param name="Size">The symbol's size in bytes (<c>st_size</c>).</param>
/// <param name="Binding">Local, global or weak.</param>
/// <param name="Type">Function, object, and so on.</param>
/// <param name="SectionIndex">The section it is defined in (<c>st_shndx</c>); 0 means undefined.</param>
/// <param name="Version">The version name (e.g. <c>LINUX_2.6</c>), or null for an unversioned symbol.</param>
/// <param name="IsHiddenVersion">
/// True when the version is hidden (bit 15 of the DT_VERSYM entry): the symbol binds only
/// to a request for that exact version, and prints with one <c>@</c> instead of <c>@@</c>.
/// </param>
public sealed record ElfSymbol(
    int Index,
    string Name,
    ulong Value,
    ulong Address,
    ulong Size,
    ElfSymbolBinding Binding,
    ElfSymbolType Type,
    ushort SectionIndex,
    string? Version,
    bool IsHiddenVersion)
{
    /// <summary>True when the symbol is defined in this image (<c>st_shndx</c> is not SHN_UNDEF).</summary>
    public bool IsDefined => SectionIndex != 0;

    /// <summary>
    /// The name with its version as binutils prints it: <c>name@@VERSION</c> for the
    /// default version, <c>name@VERSION</c> for a hidden one, the bare name when unversioned.
    /// </summary>
    public string DisplayName =>
        Version is null ? Name : Name + (IsHiddenVersion ? "@" : "@@") + Version;

    /// <inheritdoc/>
    public override string ToString() => DisplayName;
}
