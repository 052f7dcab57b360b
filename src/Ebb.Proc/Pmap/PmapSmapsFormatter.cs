
namespace Ebb.Proc.Pmap;

/// <summary>
/// The columns of the -X/-XX/rc layout, which procps keeps from one pid to the next: the list
/// of field names is built from the first process and every later one must match it, and a
/// column's width never shrinks. Totals are reset after each footer (the procps 4.0.4 fix;
/// 4.0.2 carried them over into the next pid's footer).
/// </summary>
public sealed class PmapSmapsColumns
{
    internal sealed class Column(string name, int width)
    {
        public readonly string Name = name;
        public ulong Value;
        public ulong Total;
        public int Width = width;
    }

    internal readonly List<Column> _columns = [];
}

/// <summary>
/// pmap's -X, -XX and -c/-C layout (procps-ng 4.0.2's print_extended_maps) as a pure function of
/// the parsed smaps entries, the options and the column state carried between pids.
/// </summary>
public static class PmapSmapsFormatter
{
    // procps keeps at most 127 bytes of a mapping's name in this layout (sscanf "%127[^\n]").
    private const int MaxNameBytes = 127;

    /// <summary>Formats one process's smaps entries, after its header line.</summary>
    /// <exception cref="PmapFormatException">A field name differs from the column list built so far.</exception>
    public static void WriteBody(PmapProcess p, PmapOptions o, PmapSmapsColumns state, ByteWriter w)
    {
        var smaps = p.Smaps ?? throw new ArgumentException("this layout needs the smaps entries", nameof(p));
        var columns = state._columns;
        int wAddress = 0, wPerm = 0, wOffset = 0, wDevice = 0, wInode = 0, wFlags = 0;
        bool hasFlags = false;

        // Pass 1: widths and totals (procps reads the file twice; the records are already here).
        foreach (var e in smaps)
        {
            var m = e.Map;
            bool inRange = o.InRange(m.Start, m.End);
            wAddress = Math.Max(wAddress, Math.Max(8, ByteWriter.HexWidth(m.Start)));
            wPerm = Math.Max(wPerm, 4);
            wOffset = Math.Max(wOffset, Math.Max(8, ByteWriter.HexWidth(m.Offset)));
            wDevice = Math.Max(wDevice, DeviceWidth(m));
            wInode = Math.Max(wInode, ByteWriter.DecimalWidth(m.Inode));
            int index = 0;
            var names = e.Layout.Names;
            var values = e.Values;
            for (int i = 0; i < values.Length; i++)
            {
                if (!o.IsEnabled(names[i])) continue;
                if (index == columns.Count)
                    columns.Add(new PmapSmapsColumns.Column(names[i], o.Quiet ? 0 : names[i].Length));
                var c = columns[index++];
                if (c.Name != names[i])
                    throw new PmapFormatException($"ERROR: inconsistent detail field in smaps file, line: {names[i]}");
                if (inRange)
                {
                    c.Total += values[i];
                    if (o.Quiet) c.Width = Math.Max(c.Width, ByteWriter.DecimalWidth(values[i]));
                }
            }
            if (e.VmFlags is { Length: > 0 } flags)
            {
                hasFlags = true;
                wFlags = Math.Max(wFlags, flags.Length);
            }
        }
        if (!o.Quiet)
            foreach (var c in columns) c.Width = Math.Max(c.Width, ByteWriter.DecimalWidth(c.Total));

        bool showPerm = o.IsEnabled("Perm"), showOffset = o.IsEnabled("Offset"), showDevice = o.IsEnabled("Device"),
            showInode = o.IsEnabled("Inode"), showFlags = hasFlags && o.IsEnabled("VmFlags"), showMapping = o.IsEnabled("Mapping");

        // Pass 2: the header (when there is at least one mapping), then the rows in range.
        if (smaps.Count > 0 && !o.Quiet)
        {
            wAddress = Justify(w, "Address", wAddress);
            if (showPerm) wPerm = Justify(w, "Perm", wPerm);
            if (showOffset) wOffset = Justify(w, "Offset", wOffset);
            if (showDevice) wDevice = Justify(w, "Device", wDevice);
            if (showInode) wInode = Justify(w, "Inode", wInode);
            foreach (var c in columns) Justify(w, c.Name, c.Width);
            if (showFlags) wFlags = Justify(w, "VmFlags", wFlags);
            w.Write(showMapping ? "Mapping\n"u8 : "\n"u8);
        }
        foreach (var e in smaps)
        {
            var m = e.Map;
            // Values are taken per row; a column the row lacks keeps the previous row's value, as in procps.
            int index = 0;
            var names = e.Layout.Names;
            var values = e.Values;
            for (int i = 0; i < values.Length; i++)
                if (o.IsEnabled(names[i])) columns[index++].Value = values[i];
            if (!o.InRange(m.Start, m.End)) continue;

            w.Repeat((byte)' ', wAddress - Math.Max(8, ByteWriter.HexWidth(m.Start)));
            w.Hex(m.Start, 8);
            if (showPerm) { w.Write((byte)' '); w.Right(m.PermissionsText, wPerm); }
            if (showOffset) { w.Write((byte)' '); w.Repeat((byte)' ', wOffset - Math.Max(8, ByteWriter.HexWidth(m.Offset))); w.Hex(m.Offset, 8); }
            if (showDevice) { w.Write((byte)' '); w.Repeat((byte)' ', wDevice - DeviceWidth(m)); w.Hex(m.DeviceMajor, 2); w.Write((byte)':'); w.Hex(m.DeviceMinor, 2); }
            if (showInode) { w.Write((byte)' '); w.Decimal(m.Inode, wInode); }
            foreach (var c in columns) { w.Write((byte)' '); w.Decimal(c.Value, c.Width); }
            if (showFlags) { w.Write((byte)' '); w.Right(e.VmFlags ?? "", wFlags); }
            if (showMapping)
            {
                w.Write((byte)' ');
                var name = m.RawName.AsSpan();
                if (name.Length > MaxNameBytes) name = name[..MaxNameBytes];
                if (!o.ShowPath)
                {
                    int slash = name.LastIndexOf((byte)'/');
                    if (slash >= 0) name = name[(slash + 1)..];
                }
                w.Write(name);
            }
            w.Write((byte)'\n');
        }

        if (o.Quiet || columns.Count == 0) return;
        int gap = wAddress + 1;
        if (showPerm) gap += wPerm + 1;
        if (showOffset) gap += wOffset + 1;
        if (showDevice) gap += wDevice + 1;
        if (showInode) gap += wInode + 1;
        w.Repeat((byte)' ', gap);
        foreach (var c in columns) { w.Repeat((byte)'=', c.Width); w.Write((byte)' '); }
        w.Write((byte)'\n');
        w.Repeat((byte)' ', gap);
        foreach (var c in columns)
        {
            w.Decimal(c.Total, c.Width);
            w.Write((byte)' ');
            c.Total = 0;
        }
        w.Write("KB \n"u8);
    }

    // justify_print: right-aligned in max(width, length) plus a space; returns that width.
    private static int Justify(ByteWriter w, string text, int width)
    {
        width = Math.Max(width, text.Length);
        w.Right(text, width);
        w.Write((byte)' ');
        return width;
    }

    private static int DeviceWidth(MapEntry m) =>
        Math.Max(2, ByteWriter.HexWidth(m.DeviceMajor)) + 1 + Math.Max(2, ByteWriter.HexWidth(m.DeviceMinor));
}

/// <summary>The smaps data cannot be laid out the way procps lays it out (e.g. field names differ between processes).</summary>
public sealed class PmapFormatException(string message) : Exception(message);
