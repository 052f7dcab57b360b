using System.Buffers.Binary;
using System.Text;

namespace Ebb.Proc.Vdso;

/// <summary>
/// Parses an ELF64 little-endian shared object from a span of bytes, the same way whether
/// the bytes come from this process's memory, from <c>/proc/PID/mem</c> or from a file.
/// It reads what a dynamic linker reads: the ELF header, the program headers (PT_LOAD for
/// the load bias, PT_DYNAMIC), the dynamic section, the symbol count from DT_GNU_HASH or
/// DT_HASH, the dynamic symbols, and their versions (DT_VERSYM, DT_VERDEF). Section
/// headers are not needed, so an image stripped of them still parses.
/// </summary>
/// <remarks>
/// Link-time addresses (the dynamic section's pointers) are turned into offsets in the span
/// through the PT_LOAD segments, as in a file. For the vDSO that is also its memory layout:
/// the kernel maps the whole file as it is, with one PT_LOAD at offset 0. Every read is
/// bounds-checked; a truncated or corrupt image raises <see cref="ElfFormatException"/>.
/// </remarks>
public static class ElfParser
{
    private const int EhdrSize = 64, PhdrSize = 56, DynSize = 16, SymSize = 24;
    private const uint PT_LOAD = 1, PT_DYNAMIC = 2;
    private const ushort ET_DYN = 3;
    private const long DT_NULL = 0, DT_HASH = 4, DT_STRTAB = 5, DT_SYMTAB = 6, DT_STRSZ = 10, DT_SYMENT = 11,
        DT_SONAME = 14, DT_GNU_HASH = 0x6ffffef5, DT_VERSYM = 0x6ffffff0, DT_VERDEF = 0x6ffffffc,
        DT_VERDEFNUM = 0x6ffffffd;
    private const ushort VER_FLG_BASE = 1;
    // Symbol counts and version tables beyond these are corruption, not a real vDSO or library.
    private const int MaxSymbols = 1 << 20, MaxVersions = 1 << 12;

    /// <summary>Parses <paramref name="image"/>.</summary>
    /// <param name="image">The whole image: the file's bytes, or the whole mapping.</param>
    /// <param name="address">Where the image's first byte is mapped, or null for a file (symbol addresses are then link-time values).</param>
    /// <exception cref="ElfFormatException">The image is truncated or corrupt.</exception>
    public static ElfImage Parse(ReadOnlySpan<byte> image, ulong? address = null)
    {
        var header = ReadHeader(image);
        var segments = ReadSegments(image, header);
        var load = segments.Where(s => s.Type == PT_LOAD).ToList();
        if (load.Count == 0) throw new ElfFormatException("no PT_LOAD program header");
        var dynamic = segments.FirstOrDefault(s => s.Type == PT_DYNAMIC)
            ?? throw new ElfFormatException("no PT_DYNAMIC program header");

        // The first PT_LOAD maps file offset p_offset at p_vaddr + bias; the image starts at file offset 0.
        ulong bias = address is ulong a ? unchecked(a - (load[0].VirtualAddress - load[0].Offset)) : 0;

        var tags = ReadDynamic(image, dynamic);
        long Need(long tag, string name) =>
            tags.TryGetValue(tag, out var v) ? (long)v : throw new ElfFormatException($"dynamic section has no {name}");

        ulong strtabVaddr = (ulong)Need(DT_STRTAB, "DT_STRTAB");
        ulong strsz = (ulong)Need(DT_STRSZ, "DT_STRSZ");
        int strtab = Locate(image, load, strtabVaddr, strsz, "DT_STRTAB");
        var strings = image.Slice(strtab, (int)strsz);

        ulong syment = tags.TryGetValue(DT_SYMENT, out var se) ? se : SymSize;
        if (syment < SymSize || syment > 1024) throw new ElfFormatException($"DT_SYMENT is {syment}, not at least {SymSize}");

        string source;
        int count;
        if (tags.TryGetValue(DT_GNU_HASH, out var gnuHash))
        {
            source = "DT_GNU_HASH";
            count = CountFromGnuHash(image, load, gnuHash);
        }
        else if (tags.TryGetValue(DT_HASH, out var hash))
        {
            source = "DT_HASH";
            count = CountFromHash(image, load, hash);
        }
        else throw new ElfFormatException("dynamic section has neither DT_GNU_HASH nor DT_HASH (no symbol count)");
        if (count > MaxSymbols) throw new ElfFormatException($"{source} gives {count} symbols, more than {MaxSymbols}");

        int symtab = Locate(image, load, (ulong)Need(DT_SYMTAB, "DT_SYMTAB"), (ulong)count * syment, "DT_SYMTAB");

        var versions = tags.TryGetValue(DT_VERDEF, out var verdef)
            ? ReadVersions(image, load, strings, verdef, tags.TryGetValue(DT_VERDEFNUM, out var n) ? n : MaxVersions)
            : [];
        ReadOnlySpan<byte> versym = default;
        if (tags.TryGetValue(DT_VERSYM, out var versymVaddr))
            versym = image.Slice(Locate(image, load, versymVaddr, (ulong)count * 2, "DT_VERSYM"), count * 2);

        var symbols = new List<ElfSymbol>(Math.Max(0, count - 1));
        for (int i = 1; i < count; i++) // entry 0 is the reserved null symbol
        {
            var e = image.Slice(symtab + i * (int)syment, SymSize);
            uint nameOffset = U32(e, 0);
            byte info = e[4];
            string name = String(strings, nameOffset, $"symbol {i}'s name");
            string? version = null;
            bool hidden = false;
            if (!versym.IsEmpty)
            {
                ushort v = BinaryPrimitives.ReadUInt16LittleEndian(versym.Slice(i * 2));
                hidden = (v & 0x8000) != 0;
                int index = v & 0x7fff;
                if (index > 1) // 0 is local, 1 is the unversioned global
                {
                    version = versions.FirstOrDefault(x => x.Index == index)?.Name
                        ?? throw new ElfFormatException($"symbol {i} ({name}) has version index {index}, which DT_VERDEF does not define");
                }
            }
            ulong value = U64(e, 8);
            symbols.Add(new ElfSymbol(i, name, value, unchecked(value + bias), U64(e, 16),
                (ElfSymbolBinding)(info >> 4), (ElfSymbolType)(info & 0xf), U16(e, 6), version, hidden));
        }

        string? soname = tags.TryGetValue(DT_SONAME, out var so) ? String(strings, so, "DT_SONAME") : null;
        return new ElfImage(address, image.Length, bias, header.Machine, soname, source, versions, symbols);
    }

    /// <summary>
    /// How many bytes an image occupies once mapped, from its ELF header and program
    /// headers alone: the end of the last PT_LOAD segment, rounded up to a page. This is
    /// how much of this process's own vDSO can be read safely before parsing it.
    /// </summary>
    /// <param name="headers">At least the ELF header and the program header table.</param>
    /// <param name="pageSize">The page size, a power of two.</param>
    /// <exception cref="ElfFormatException">The headers are truncated or corrupt.</exception>
    public static int MappedSize(ReadOnlySpan<byte> headers, int pageSize)
    {
        var header = ReadHeader(headers);
        var load = ReadSegments(headers, header).Where(s => s.Type == PT_LOAD).ToList();
        if (load.Count == 0) throw new ElfFormatException("no PT_LOAD program header");
        ulong start = load.Min(s => s.VirtualAddress - s.Offset);
        ulong end = load.Max(s => s.VirtualAddress + s.MemorySize);
        ulong size = end - start;
        if (end < start || size > int.MaxValue / 2) throw new ElfFormatException($"PT_LOAD segments span 0x{start:x}-0x{end:x}");
        return (int)((size + (ulong)pageSize - 1) & ~((ulong)pageSize - 1));
    }

    /// <summary>How many bytes of an image <see cref="MappedSize"/> needs: the header and its program header table.</summary>
    /// <param name="header">At least the 64-byte ELF header.</param>
    /// <exception cref="ElfFormatException">The header is truncated or corrupt.</exception>
    public static int HeadersSize(ReadOnlySpan<byte> header)
    {
        var h = ReadHeader(header, tableInImage: false);
        return checked((int)(h.PhOff + (ulong)h.PhNum * h.PhEntSize));
    }

    private sealed record Header(ushort Machine, ulong PhOff, ushort PhEntSize, ushort PhNum);

    private sealed record Segment(uint Type, ulong Offset, ulong VirtualAddress, ulong FileSize, ulong MemorySize);

    private static Header ReadHeader(ReadOnlySpan<byte> image, bool tableInImage = true)
    {
        if (image.Length < EhdrSize)
            throw new ElfFormatException($"the ELF header needs {EhdrSize} bytes, the image has {image.Length}");
        if (image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
            throw new ElfFormatException($"bad magic {image[0]:x2} {image[1]:x2} {image[2]:x2} {image[3]:x2} (want 7f 45 4c 46)");
        if (image[4] != 2) throw new ElfFormatException($"EI_CLASS is {image[4]}, not 2 (ELFCLASS64)");
        if (image[5] != 1) throw new ElfFormatException($"EI_DATA is {image[5]}, not 1 (little-endian)");
        if (image[6] != 1) throw new ElfFormatException($"EI_VERSION is {image[6]}, not 1");
        ushort type = U16(image, 16);
        if (type != ET_DYN) throw new ElfFormatException($"e_type is {type}, not 3 (ET_DYN, a shared object)");
        var h = new Header(U16(image, 18), U64(image, 32), U16(image, 54), U16(image, 56));
        if (h.PhNum == 0) throw new ElfFormatException("no program headers (e_phnum is 0)");
        if (h.PhEntSize < PhdrSize) throw new ElfFormatException($"e_phentsize is {h.PhEntSize}, less than {PhdrSize}");
        if (tableInImage && !Fits(image, h.PhOff, (ulong)h.PhNum * h.PhEntSize))
            throw new ElfFormatException(
                $"program header table ({h.PhNum} x {h.PhEntSize} bytes at 0x{h.PhOff:x}) runs past the end of the {image.Length}-byte image");
        return h;
    }

    private static List<Segment> ReadSegments(ReadOnlySpan<byte> image, Header h)
    {
        var list = new List<Segment>(h.PhNum);
        for (int i = 0; i < h.PhNum; i++)
        {
            var p = image.Slice((int)h.PhOff + i * h.PhEntSize, PhdrSize);
            var s = new Segment(U32(p, 0), U64(p, 8), U64(p, 16), U64(p, 32), U64(p, 40));
            if (s.Type == PT_LOAD && s.FileSize > s.MemorySize)
                throw new ElfFormatException($"PT_LOAD header {i} has p_filesz 0x{s.FileSize:x} above p_memsz 0x{s.MemorySize:x}");
            list.Add(s);
        }
        return list;
    }

    private static Dictionary<long, ulong> ReadDynamic(ReadOnlySpan<byte> image, Segment dynamic)
    {
        if (!Fits(image, dynamic.Offset, dynamic.FileSize))
            throw new ElfFormatException(
                $"PT_DYNAMIC (0x{dynamic.FileSize:x} bytes at 0x{dynamic.Offset:x}) runs past the end of the {image.Length}-byte image");
        var tags = new Dictionary<long, ulong>();
        var table = image.Slice((int)dynamic.Offset, (int)dynamic.FileSize);
        bool ended = false;
        for (int at = 0; at + DynSize <= table.Length; at += DynSize)
        {
            long tag = (long)U64(table, at);
            if (tag == DT_NULL) { ended = true; break; }
            tags.TryAdd(tag, U64(table, at + 8)); // the first occurrence counts, as in ld.so
        }
        if (!ended) throw new ElfFormatException("dynamic section has no DT_NULL terminator");
        return tags;
    }

    // Turns a link-time address into an offset in the image, checking that length bytes fit there.
    private static int Locate(ReadOnlySpan<byte> image, List<Segment> load, ulong vaddr, ulong length, string what)
    {
        foreach (var s in load)
        {
            if (vaddr < s.VirtualAddress || vaddr - s.VirtualAddress >= s.FileSize) continue;
            ulong offset = vaddr - s.VirtualAddress + s.Offset;
            if (length > s.FileSize - (vaddr - s.VirtualAddress) || !Fits(image, offset, length))
                throw new ElfFormatException(
                    $"{what} (0x{length:x} bytes at 0x{vaddr:x}) runs past the end of its segment or of the {image.Length}-byte image");
            return (int)offset;
        }
        throw new ElfFormatException($"{what} address 0x{vaddr:x} lies outside every PT_LOAD segment");
    }

    private static int CountFromHash(ReadOnlySpan<byte> image, List<Segment> load, ulong vaddr)
    {
        // Elf32_Word nbucket, nchain; the chain has one entry per symbol.
        int at = Locate(image, load, vaddr, 8, "DT_HASH");
        uint nchain = U32(image, at + 4);
        if (nchain > MaxSymbols) throw new ElfFormatException($"DT_HASH nchain {nchain} is more than {MaxSymbols}");
        return (int)nchain;
    }

    private static int CountFromGnuHash(ReadOnlySpan<byte> image, List<Segment> load, ulong vaddr)
    {
        // nbuckets, symoffset, bloom_size, bloom_shift; bloom[bloom_size] (64-bit words);
        // buckets[nbuckets]; then one chain word per symbol from symoffset on. The count is
        // one past the last symbol of the chain that starts at the highest bucket; a chain
        // ends at a word whose low bit is set.
        int at = Locate(image, load, vaddr, 16, "DT_GNU_HASH");
        uint nbuckets = U32(image, at), symoffset = U32(image, at + 4), bloomSize = U32(image, at + 8);
        ulong bucketsAt = (ulong)at + 16 + (ulong)bloomSize * 8;
        if (!Fits(image, bucketsAt, (ulong)nbuckets * 4))
            throw new ElfFormatException($"DT_GNU_HASH ({nbuckets} buckets, {bloomSize} bloom words) runs past the end of the image");
        uint last = 0;
        for (uint b = 0; b < nbuckets; b++) last = Math.Max(last, U32(image, (int)(bucketsAt + b * 4)));
        if (last == 0) return (int)symoffset; // no hashed symbols at all
        if (last < symoffset) throw new ElfFormatException($"DT_GNU_HASH bucket names symbol {last}, below symoffset {symoffset}");
        ulong chainAt = bucketsAt + (ulong)nbuckets * 4;
        for (ulong i = last; ; i++)
        {
            if (i >= MaxSymbols) throw new ElfFormatException($"DT_GNU_HASH chain runs past {MaxSymbols} symbols");
            ulong word = chainAt + (i - symoffset) * 4;
            if (!Fits(image, word, 4)) throw new ElfFormatException("DT_GNU_HASH chain runs past the end of the image");
            if ((U32(image, (int)word) & 1) != 0) return (int)i + 1;
        }
    }

    private static List<ElfVersion> ReadVersions(ReadOnlySpan<byte> image, List<Segment> load, ReadOnlySpan<byte> strings, ulong vaddr, ulong count)
    {
        var versions = new List<ElfVersion>();
        // Elf64_Verdef: vd_version, vd_flags, vd_ndx, vd_cnt (16-bit), vd_hash, vd_aux, vd_next (32-bit).
        int at = Locate(image, load, vaddr, 20, "DT_VERDEF");
        for (ulong n = 0; n < Math.Min(count, MaxVersions); n++)
        {
            if (!Fits(image, (ulong)at, 20)) throw new ElfFormatException($"DT_VERDEF entry {n} at 0x{at:x} runs past the end of the image");
            ushort version = U16(image, at);
            if (version != 1) throw new ElfFormatException($"DT_VERDEF entry {n} has vd_version {version}, not 1");
            ushort flags = U16(image, at + 2), index = U16(image, at + 4), auxCount = U16(image, at + 6);
            uint aux = U32(image, at + 12), next = U32(image, at + 16);
            if (auxCount == 0) throw new ElfFormatException($"DT_VERDEF entry {n} has no name (vd_cnt is 0)");
            ulong auxAt = (ulong)at + aux;
            if (!Fits(image, auxAt, 8)) throw new ElfFormatException($"DT_VERDEF entry {n}'s Verdaux at 0x{auxAt:x} runs past the end of the image");
            string name = String(strings, U32(image, (int)auxAt), $"DT_VERDEF entry {n}'s name");
            versions.Add(new ElfVersion(index & 0x7fff, name, (flags & VER_FLG_BASE) != 0));
            if (next == 0) break;
            at = checked(at + (int)Math.Min(next, int.MaxValue / 2));
        }
        return versions;
    }

    private static string String(ReadOnlySpan<byte> strings, ulong offset, string what)
    {
        if (offset >= (ulong)strings.Length)
            throw new ElfFormatException($"{what} at string offset 0x{offset:x} lies outside DT_STRTAB ({strings.Length} bytes)");
        var rest = strings.Slice((int)offset);
        int end = rest.IndexOf((byte)0);
        if (end < 0) throw new ElfFormatException($"{what} at string offset 0x{offset:x} is not NUL-terminated within DT_STRTAB");
        return Encoding.UTF8.GetString(rest.Slice(0, end));
    }

    private static bool Fits(ReadOnlySpan<byte> image, ulong offset, ulong length) =>
        offset <= (ulong)image.Length && length <= (ulong)image.Length - offset;

    private static ushort U16(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt16LittleEndian(s.Slice(at));
    private static uint U32(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt32LittleEndian(s.Slice(at));
    private static ulong U64(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt64LittleEndian(s.Slice(at));
}
