namespace Ebb.Proc.Pmap;

/// <summary>
/// pmap's default, -x and -d layouts (procps-ng 4.0.2's one_proc): a pure function from the
/// parsed records of one process to bytes. The -X/-XX/rc layout is <see cref="PmapSmapsFormatter"/>.
/// </summary>
public static class PmapFormatter
{
    /// <summary>The SysV shm device minor procps uses when none was discovered (~0u): no match.</summary>
    public const uint NoShmMinor = uint.MaxValue;

    /// <summary>Writes the <c>PID:   command</c> line every layout starts with.</summary>
    public static void WriteHeaderLine(PmapProcess p, ByteWriter w)
    {
        w.Decimal((ulong)p.Pid);
        w.Write(":   "u8);
        w.Write(p.CommandText);
        w.Write((byte)'\n');
    }

    /// <summary>Formats one process in the default (-), -x or -d layout, after its header line.</summary>
    /// <param name="p">The process; <see cref="PmapProcess.Maps"/> for default and -d, <see cref="PmapProcess.Smaps"/> for -x.</param>
    /// <param name="o">The options.</param>
    /// <param name="shmMinor">The device minor of SysV shm segments on this kernel (see <see cref="ShmMinorProbe"/>).</param>
    /// <param name="w">Where the bytes go.</param>
    public static void WriteBody(PmapProcess p, PmapOptions o, uint shmMinor, ByteWriter w)
    {
        if (o.Format == PmapFormat.Extended) WriteExtended(p, o, shmMinor, w);
        else WriteMaps(p, o, shmMinor, w);
    }

    private static void WriteMaps(PmapProcess p, PmapOptions o, uint shmMinor, ByteWriter w)
    {
        var maps = p.Maps ?? throw new ArgumentException("the default and -d layouts need the maps entries", nameof(p));
        bool device = o.Format == PmapFormat.Device;
        if (device && !o.Quiet)
            w.Write("Address           Kbytes Mode  Offset           Device    Mapping\n"u8);
        ulong shared = 0, privateWriteable = 0, privateReadonly = 0;
        Span<byte> mode = stackalloc byte[5];
        foreach (var m in maps)
        {
            if (m.End - 1 < o.RangeLow) continue;
            if (o.RangeHigh < m.Start) break;
            ulong diff = m.End - m.Start;
            Tally(m.Permissions, diff, ref shared, ref privateWriteable, ref privateReadonly);
            Mode(m.Permissions, mode);
            w.Hex(m.Start, 16);
            if (device)
            {
                w.Write((byte)' ');
                w.Decimal(diff >> 10, 7);
                w.Write((byte)' ');
                w.Write(mode);
                w.Write((byte)' ');
                w.Hex(m.Offset, 16);
                w.Write((byte)' ');
                w.Hex(m.DeviceMajor, 3);
                w.Write((byte)':');
                w.Hex(m.DeviceMinor, 5);
            }
            else
            {
                w.Write((byte)' ');
                w.Decimal(diff >> 10, 6);
                w.Write("K "u8);
                w.Write(mode);
            }
            w.Write((byte)' ');
            WriteMappingName(m, p.StartStack, o.ShowPath, shmMinor, w);
            w.Write((byte)'\n');
        }
        if (o.Quiet) return;
        ulong mapped = shared + privateWriteable + privateReadonly;
        if (device)
        {
            w.Write("mapped: "u8);
            w.Decimal(mapped >> 10);
            w.Write("K    writeable/private: "u8);
            w.Decimal(privateWriteable >> 10);
            w.Write("K    shared: "u8);
            w.Decimal(shared >> 10);
            w.Write("K\n"u8);
        }
        else
        {
            w.Write(" total "u8);
            w.Decimal(mapped >> 10, 16);
            w.Write("K\n"u8);
        }
    }

    // -x reads smaps the way procps does: a row is printed when its Swap line is seen, and the
    // RSS and Dirty totals take every Rss/…_Dirty line, even those of mappings left out by -A
    // below the range (procps resets the row only at Swap). Kept as procps 4.0.2 does it.
    private static void WriteExtended(PmapProcess p, PmapOptions o, uint shmMinor, ByteWriter w)
    {
        var smaps = p.Smaps ?? throw new ArgumentException("the -x layout needs the smaps entries", nameof(p));
        if (!o.Quiet)
            w.Write("Address           Kbytes     RSS   Dirty Mode  Mapping\n"u8);
        ulong shared = 0, privateWriteable = 0, privateReadonly = 0;
        ulong totalRss = 0, totalPrivateDirty = 0, totalSharedDirty = 0;
        Span<byte> mode = stackalloc byte[5];
        foreach (var e in smaps)
        {
            var m = e.Map;
            if (o.RangeHigh < m.Start) break;
            bool shown = !(m.End - 1 < o.RangeLow);
            ulong diff = m.End - m.Start;
            if (shown)
            {
                Tally(m.Permissions, diff, ref shared, ref privateWriteable, ref privateReadonly);
                Mode(m.Permissions, mode);
            }
            ulong rss = 0, privateDirty = 0, sharedDirty = 0;
            var names = e.Layout.Names;
            var values = e.Values;
            for (int i = 0; i < values.Length; i++)
            {
                string name = names[i];
                ulong v = values[i];
                if (name == "Rss") { rss = v; totalRss += v; }
                else if (name == "Shared_Dirty") { sharedDirty = v; totalSharedDirty += v; }
                else if (name == "Private_Dirty") { privateDirty = v; totalPrivateDirty += v; }
                else if (name == "Swap")
                {
                    if (shown)
                    {
                        w.Hex(m.Start, 16);
                        w.Write((byte)' ');
                        w.Decimal(diff >> 10, 7);
                        w.Write((byte)' ');
                        w.Decimal(rss, 7);
                        w.Write((byte)' ');
                        w.Decimal(privateDirty + sharedDirty, 7);
                        w.Write((byte)' ');
                        w.Write(mode);
                        w.Write((byte)' ');
                        WriteMappingName(m, p.StartStack, o.ShowPath, shmMinor, w);
                        w.Write((byte)'\n');
                    }
                    rss = privateDirty = sharedDirty = 0;
                    shown = false;
                }
            }
        }
        if (o.Quiet) return;
        w.Write("---------------- ------- ------- ------- \n"u8);
        w.Write("total kB         "u8);
        w.Decimal((shared + privateWriteable + privateReadonly) >> 10, 7);
        w.Write((byte)' ');
        w.Decimal(totalRss, 7);
        w.Write((byte)' ');
        w.Decimal(totalSharedDirty + totalPrivateDirty, 7);
        w.Write((byte)'\n');
    }

    private static void Tally(MapPermissions p, ulong diff, ref ulong shared, ref ulong privateWriteable, ref ulong privateReadonly)
    {
        if ((p & MapPermissions.Shared) != 0) shared += diff;
        else if ((p & MapPermissions.Write) != 0) privateWriteable += diff;
        else privateReadonly += diff;
    }

    // procps prints the four letters with 'p' turned into '-', then a fifth '-' (Solaris's 'R').
    private static void Mode(MapPermissions p, Span<byte> mode)
    {
        mode[0] = (p & MapPermissions.Read) != 0 ? (byte)'r' : (byte)'-';
        mode[1] = (p & MapPermissions.Write) != 0 ? (byte)'w' : (byte)'-';
        mode[2] = (p & MapPermissions.Execute) != 0 ? (byte)'x' : (byte)'-';
        mode[3] = (p & MapPermissions.Shared) != 0 ? (byte)'s' : (byte)'-';
        mode[4] = (byte)'-';
    }

    /// <summary>
    /// procps's mapping_name: <c>[ shmid=0x… ]</c> for SysV shm, the base name (or with -p the
    /// path) of anything holding a '/', otherwise <c>[ stack ]</c> when stat's start of stack
    /// falls in [start, end] and <c>[ anon ]</c> for the rest ([heap], [vdso] and named
    /// anonymous memory included). Bytes outside printable ASCII become '?'.
    /// </summary>
    public static void WriteMappingName(MapEntry m, ulong startStack, bool showPath, uint shmMinor, ByteWriter w)
    {
        var name = m.RawName.AsSpan();
        if (m.DeviceMajor == 0 && m.DeviceMinor == shmMinor && name.IndexOf("/SYSV"u8) >= 0)
        {
            w.Write("  [ shmid=0x"u8);
            w.Hex(m.Inode, 1);
            w.Write(" ]"u8);
            return;
        }
        int last = name.LastIndexOf((byte)'/');
        if (last >= 0)
        {
            var shown = showPath ? name[name.IndexOf((byte)'/')..] : last + 1 < name.Length ? name[(last + 1)..] : name[last..];
            foreach (byte b in shown) w.Write(b is >= 0x20 and < 0x7f ? b : (byte)'?');
            return;
        }
        w.Write(startStack >= m.Start && startStack <= m.End ? "  [ stack ]"u8 : "  [ anon ]"u8);
    }
}
