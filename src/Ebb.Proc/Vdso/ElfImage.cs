namespace Ebb.Proc.Vdso;

/// <summary>
/// A parsed ELF64 shared object (in practice the vDSO): where it is, its soname, the
/// versions it defines and its dynamic symbols. Made by <see cref="ElfParser.Parse"/>.
/// </summary>
/// <param name="Address">Where the image is mapped (the address of its first byte), or null when it was read from a file.</param>
/// <param name="Size">The image's length in bytes as read (the whole mapping, for a mapped image).</param>
/// <param name="LoadBias">What to add to a link-time address (<c>st_value</c>, <c>p_vaddr</c>) to get its mapped address; 0 for a file.</param>
/// <param name="Machine">The <c>e_machine</c> field (62 is x86-64).</param>
/// <param name="SoName">The DT_SONAME string (<c>linux-vdso.so.1</c>), or null when absent.</param>
/// <param name="SymbolCountSource">Which table gave the symbol count: <c>DT_GNU_HASH</c> or <c>DT_HASH</c>.</param>
/// <param name="Versions">The version definitions of DT_VERDEF, in table order (the first is usually the base, named after the soname).</param>
/// <param name="Symbols">Every entry of the dynamic symbol table except the null entry 0, in table order.</param>
public sealed record ElfImage(
    ulong? Address,
    int Size,
    ulong LoadBias,
    ushort Machine,
    string? SoName,
    string SymbolCountSource,
    IReadOnlyList<ElfVersion> Versions,
    IReadOnlyList<ElfSymbol> Symbols)
{
    /// <summary>The defined function symbols, sorted by address, then global before weak, then by name.</summary>
    public IReadOnlyList<ElfSymbol> Functions =>
        Symbols.Where(s => s.IsDefined && s.Type is ElfSymbolType.Function or ElfSymbolType.GnuIndirectFunction)
               .OrderBy(s => s.Address).ThenBy(s => s.Binding).ThenBy(s => s.Name, StringComparer.Ordinal)
               .ToList();

    /// <summary>
    /// Looks a defined symbol up by name, as the dynamic linker would for an unversioned
    /// request: the default (non-hidden) version wins; null when there is none.
    /// </summary>
    public ElfSymbol? Find(string name) =>
        Symbols.FirstOrDefault(s => s.IsDefined && s.Name == name && !s.IsHiddenVersion)
        ?? Symbols.FirstOrDefault(s => s.IsDefined && s.Name == name);
}

/// <summary>One version definition (an Elf64_Verdef entry and its first Verdaux name).</summary>
/// <param name="Index">The version index (<c>vd_ndx</c>) that DT_VERSYM entries refer to.</param>
/// <param name="Name">The version's name, e.g. <c>LINUX_2.6</c>.</param>
/// <param name="IsBase">True for the VER_FLG_BASE entry, which names the file itself rather than a version.</param>
public sealed record ElfVersion(int Index, string Name, bool IsBase);
