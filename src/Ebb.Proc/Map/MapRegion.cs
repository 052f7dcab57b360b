namespace Ebb.Proc.Map;

/// <summary>What a region of the address space holds, as <c>ebb map</c> colours it.</summary>
public enum RegionKind
{
    /// <summary>Executable: a program's or library's text, or JIT-compiled code.</summary>
    Code,
    /// <summary>Writable file-backed: a program's or library's initialized data.</summary>
    Data,
    /// <summary>Read-only file-backed: constants, relocations made read-only, mapped files.</summary>
    File,
    /// <summary><c>[heap]</c>: the program break area (glibc malloc's main heap).</summary>
    Heap,
    /// <summary>Anonymous memory: other allocators, thread stacks, the GC heap.</summary>
    Anonymous,
    /// <summary>Ebb's memory: its arenas, huge blocks and the maps it reserves.</summary>
    Ebb,
    /// <summary><c>[stack]</c>: the main thread's stack.</summary>
    Stack,
    /// <summary><c>[vvar]</c>, <c>[vdso]</c>, <c>[vsyscall]</c>: what the kernel maps for fast system calls.</summary>
    Vdso,
    /// <summary>No access at all (PROT_NONE): guard pages and reserved address space.</summary>
    Guard,
}

/// <summary>One region to draw: a maps line, its smaps figures when they could be read, and whether Ebb owns it.</summary>
/// <param name="Map">The maps line.</param>
/// <param name="Smaps">Its smaps entry (null when smaps could not be read: then no resident part is drawn).</param>
/// <param name="IsEbb">Ebb's allocator owns the region (told by the caller, or by an <c>[anon:ebb…]</c> name).</param>
/// <param name="EbbPart">Which part of Ebb it is (e.g. <c>page map</c>, <c>arena chunks</c>), when the caller knows: it names an unnamed mapping.</param>
public sealed record MapRegion(MapEntry Map, SmapsEntry? Smaps = null, bool IsEbb = false, string? EbbPart = null)
{
    /// <summary>Resident bytes, or null when unknown.</summary>
    public ulong? RssBytes => Smaps is null ? null : Smaps.RssKb * 1024;

    /// <summary>The region's kind, from its name, permissions and owner.</summary>
    public RegionKind Kind => Classify(Map, IsEbb);

    /// <summary>Classifies a maps line: PROT_NONE first (a guard is a guard whatever it maps), then Ebb's, then by name and permissions.</summary>
    public static RegionKind Classify(MapEntry map, bool isEbb)
    {
        ArgumentNullException.ThrowIfNull(map);
        var p = map.Permissions & ~MapPermissions.Shared;
        if (p == MapPermissions.None) return RegionKind.Guard;
        if (isEbb || map.RawName.AsSpan().StartsWith("[anon:ebb"u8)) return RegionKind.Ebb;
        return map.Kind switch
        {
            MapKind.Heap => RegionKind.Heap,
            MapKind.Stack => RegionKind.Stack,
            MapKind.Vdso or MapKind.Vvar or MapKind.Vsyscall => RegionKind.Vdso,
            _ when (p & MapPermissions.Execute) != 0 => RegionKind.Code,
            MapKind.File or MapKind.DeletedFile or MapKind.Memfd or MapKind.SysVShm =>
                (p & MapPermissions.Write) != 0 ? RegionKind.Data : RegionKind.File,
            _ => RegionKind.Anonymous,
        };
    }
}
