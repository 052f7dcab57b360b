using System.Text;

namespace Ebb.Proc;

/// <summary>What a mapping holds, judged from its name (the last column of /proc/PID/maps).</summary>
public enum MapKind
{
    /// <summary>No name: anonymous memory.</summary>
    Anonymous,
    /// <summary>A file path.</summary>
    File,
    /// <summary>A file path that ends in <c> (deleted)</c>: the file was unlinked while mapped.</summary>
    DeletedFile,
    /// <summary><c>/memfd:NAME</c>: a memfd_create(2) file (usually also <c>(deleted)</c>).</summary>
    Memfd,
    /// <summary><c>/SYSV…</c>: a System V shared memory segment.</summary>
    SysVShm,
    /// <summary><c>[heap]</c>: the program break area.</summary>
    Heap,
    /// <summary><c>[stack]</c>: the main thread's stack.</summary>
    Stack,
    /// <summary><c>[vdso]</c>: the kernel's virtual shared object.</summary>
    Vdso,
    /// <summary><c>[vvar]</c> (or <c>[vvar_vclock]</c>): data pages the vDSO reads.</summary>
    Vvar,
    /// <summary><c>[vsyscall]</c>: the legacy fixed-address syscall page.</summary>
    Vsyscall,
    /// <summary><c>[anon:NAME]</c> or <c>[anon_shmem:NAME]</c>: anonymous memory named with prctl(PR_SET_VMA).</summary>
    NamedAnonymous,
    /// <summary>Any other bracketed kernel name, e.g. <c>[uprobes]</c>.</summary>
    OtherPseudo,
}

/// <summary>
/// One line of /proc/PID/maps: <c>start-end perms offset major:minor inode   name</c>.
/// The name is kept as the kernel's raw bytes (it may not be UTF-8, and may hold spaces or
/// tabs; the kernel escapes only newlines, as <c>\012</c>).
/// </summary>
public sealed class MapEntry
{
    private string? _name;

    /// <summary>Creates an entry from its parsed fields.</summary>
    public MapEntry(ulong start, ulong end, MapPermissions permissions, ulong offset,
        uint deviceMajor, uint deviceMinor, ulong inode, byte[] rawName)
    {
        Start = start;
        End = end;
        Permissions = permissions;
        Offset = offset;
        DeviceMajor = deviceMajor;
        DeviceMinor = deviceMinor;
        Inode = inode;
        RawName = rawName;
    }

    /// <summary>First address of the mapping.</summary>
    public ulong Start { get; }

    /// <summary>One past the last address.</summary>
    public ulong End { get; }

    /// <summary>Length in bytes (<see cref="End"/> − <see cref="Start"/>).</summary>
    public ulong Size => End - Start;

    /// <summary>Read, write, execute, shared.</summary>
    public MapPermissions Permissions { get; }

    /// <summary>The permissions as the kernel writes them, e.g. <c>r-xp</c>.</summary>
    public string PermissionsText => Permissions.ToText();

    /// <summary>Offset into the file (or the page offset for anonymous memory).</summary>
    public ulong Offset { get; }

    /// <summary>Major number of the device holding the file (0 for anonymous memory).</summary>
    public uint DeviceMajor { get; }

    /// <summary>Minor number of the device.</summary>
    public uint DeviceMinor { get; }

    /// <summary>Inode of the file (for SysV shm, the segment's shmid).</summary>
    public ulong Inode { get; }

    /// <summary>The name column's bytes exactly as the kernel wrote them; empty when there is none.</summary>
    public byte[] RawName { get; }

    /// <summary>The name decoded as UTF-8 (invalid bytes become U+FFFD); empty when there is none.</summary>
    public string Name => _name ??= RawName.Length == 0 ? "" : Encoding.UTF8.GetString(RawName);

    /// <summary>True when the name ends in <c> (deleted)</c>.</summary>
    public bool IsDeleted => RawName.AsSpan().EndsWith(" (deleted)"u8);

    /// <summary>What the mapping holds, judged from its name.</summary>
    public MapKind Kind
    {
        get
        {
            var n = RawName.AsSpan();
            if (n.IsEmpty) return MapKind.Anonymous;
            if (n[0] == '/')
            {
                if (n.StartsWith("/memfd:"u8)) return MapKind.Memfd;
                if (n.StartsWith("/SYSV"u8)) return MapKind.SysVShm;
                return IsDeleted ? MapKind.DeletedFile : MapKind.File;
            }
            if (n[0] == '[')
            {
                if (n.SequenceEqual("[heap]"u8)) return MapKind.Heap;
                if (n.SequenceEqual("[stack]"u8)) return MapKind.Stack;
                if (n.SequenceEqual("[vdso]"u8)) return MapKind.Vdso;
                if (n.StartsWith("[vvar"u8)) return MapKind.Vvar;
                if (n.SequenceEqual("[vsyscall]"u8)) return MapKind.Vsyscall;
                if (n.StartsWith("[anon:"u8) || n.StartsWith("[anon_shmem:"u8)) return MapKind.NamedAnonymous;
                return MapKind.OtherPseudo;
            }
            return MapKind.File;
        }
    }

    /// <summary>True when <paramref name="address"/> lies inside the mapping.</summary>
    public bool Contains(ulong address) => address >= Start && address < End;

    /// <summary>The line roughly as the kernel writes it (names padded to the same column).</summary>
    public override string ToString()
    {
        var head = $"{Start:x8}-{End:x8} {PermissionsText} {Offset:x8} {DeviceMajor:x2}:{DeviceMinor:x2} {Inode}";
        return RawName.Length == 0 ? head : head.PadRight(73) + Name;
    }
}
