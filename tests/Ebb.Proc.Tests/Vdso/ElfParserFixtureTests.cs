using System.Buffers.Binary;
using Ebb.Proc.Vdso;

namespace Ebb.Proc.Tests.Vdso;

public class ElfParserFixtureTests
{
    private const long DT_HASH = 4, DT_STRTAB = 5, DT_SYMTAB = 6, DT_GNU_HASH = 0x6ffffef5, DT_VERSYM = 0x6ffffff0, DT_VERDEF = 0x6ffffffc;

    // What `readelf -W --dyn-syms -V` says of the fixture: index, name, value, size, type, binding.
    private static readonly (int Index, string Name, ulong Value, ulong Size, ElfSymbolType Type, ElfSymbolBinding Bind)[] s_expected =
    [
        (1, "clock_gettime", 0xaf0, 902, ElfSymbolType.Function, ElfSymbolBinding.Weak),
        (2, "__vdso_gettimeofday", 0x810, 683, ElfSymbolType.Function, ElfSymbolBinding.Global),
        (3, "clock_getres", 0xe80, 127, ElfSymbolType.Function, ElfSymbolBinding.Weak),
        (4, "__vdso_clock_getres", 0xe80, 127, ElfSymbolType.Function, ElfSymbolBinding.Global),
        (5, "gettimeofday", 0x810, 683, ElfSymbolType.Function, ElfSymbolBinding.Weak),
        (6, "__vdso_time", 0xac0, 40, ElfSymbolType.Function, ElfSymbolBinding.Global),
        (7, "__vdso_getrandom", 0xf40, 947, ElfSymbolType.Function, ElfSymbolBinding.Global),
        (8, "time", 0xac0, 40, ElfSymbolType.Function, ElfSymbolBinding.Weak),
        (9, "__vdso_clock_gettime", 0xaf0, 902, ElfSymbolType.Function, ElfSymbolBinding.Global),
        (10, "LINUX_2.6", 0, 0, ElfSymbolType.Object, ElfSymbolBinding.Global),
        (11, "__vdso_getcpu", 0xf00, 44, ElfSymbolType.Function, ElfSymbolBinding.Global),
        (12, "getcpu", 0xf00, 44, ElfSymbolType.Function, ElfSymbolBinding.Weak),
        (13, "getrandom", 0xf40, 947, ElfSymbolType.Function, ElfSymbolBinding.Weak),
    ];

    [Fact]
    public void Fixture_HasExactlyTheSymbolsReadelfLists()
    {
        var image = ElfParser.Parse(VdsoFixture.Bytes());
        Assert.Null(image.Address);
        Assert.Equal(8192, image.Size);
        Assert.Equal(0ul, image.LoadBias);
        Assert.Equal(62, image.Machine);
        Assert.Equal("linux-vdso.so.1", image.SoName);
        Assert.Equal("DT_GNU_HASH", image.SymbolCountSource);
        Assert.Equal([new ElfVersion(1, "linux-vdso.so.1", true), new ElfVersion(2, "LINUX_2.6", false)], image.Versions);
        Assert.Equal(s_expected.Length, image.Symbols.Count);
        for (int i = 0; i < s_expected.Length; i++)
        {
            var e = s_expected[i];
            var s = image.Symbols[i];
            Assert.Equal((e.Index, e.Name, e.Value, e.Value, e.Size, e.Type, e.Bind), (s.Index, s.Name, s.Value, s.Address, s.Size, s.Type, s.Binding));
            Assert.Equal("LINUX_2.6", s.Version);
            Assert.False(s.IsHiddenVersion);
            Assert.Equal(e.Name + "@@LINUX_2.6", s.DisplayName);
        }
        // The version symbol itself is absolute (SHN_ABS), the functions are in section 12 (.text).
        Assert.Equal(0xfff1, image.Symbols[9].SectionIndex);
        Assert.All(image.Functions, s => Assert.Equal(12, s.SectionIndex));
        Assert.Equal(12, image.Functions.Count);
    }

    [Fact]
    public void Functions_AreSortedByAddress_GlobalBeforeWeak()
    {
        var names = ElfParser.Parse(VdsoFixture.Bytes()).Functions.Select(s => s.Name).ToArray();
        Assert.Equal(
            ["__vdso_gettimeofday", "gettimeofday", "__vdso_time", "time", "__vdso_clock_gettime", "clock_gettime",
             "__vdso_clock_getres", "clock_getres", "__vdso_getcpu", "getcpu", "__vdso_getrandom", "getrandom"],
            names);
    }

    [Fact]
    public void Find_ReturnsTheDefinedSymbol_OrNull()
    {
        var image = ElfParser.Parse(VdsoFixture.Bytes());
        Assert.Equal(0xaf0ul, image.Find("__vdso_clock_gettime")!.Value);
        Assert.Null(image.Find("__vdso_no_such_thing"));
    }

    [Fact]
    public void Mapped_AddsTheLoadBiasToEveryAddress()
    {
        const ulong at = 0x7f00_1234_0000;
        var image = ElfParser.Parse(VdsoFixture.Bytes(), at);
        Assert.Equal(at, image.Address);
        Assert.Equal(at, image.LoadBias);
        Assert.All(image.Symbols, s => Assert.Equal(s.Value + at, s.Address));
    }

    [Fact]
    public void HashAndGnuHash_GiveTheSameSymbols()
    {
        var both = ElfParser.Parse(VdsoFixture.Bytes());
        var onlyHash = VdsoFixture.Bytes();
        VdsoFixture.Remove(onlyHash, DT_GNU_HASH);
        var viaHash = ElfParser.Parse(onlyHash);
        var onlyGnu = VdsoFixture.Bytes();
        VdsoFixture.Remove(onlyGnu, DT_HASH);
        var viaGnu = ElfParser.Parse(onlyGnu);
        Assert.Equal("DT_HASH", viaHash.SymbolCountSource);
        Assert.Equal("DT_GNU_HASH", viaGnu.SymbolCountSource);
        Assert.Equal(both.Symbols, viaHash.Symbols);
        Assert.Equal(both.Symbols, viaGnu.Symbols);
    }

    [Fact]
    public void HiddenVersion_PrintsWithOneAt()
    {
        var bytes = VdsoFixture.Bytes();
        int versym = (int)VdsoFixture.DynamicValue(bytes, DT_VERSYM);
        // Symbol 8 is `time`; set bit 15 of its version index.
        ushort v = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(versym + 8 * 2));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(versym + 8 * 2), (ushort)(v | 0x8000));
        var image = ElfParser.Parse(bytes);
        Assert.Equal("time@LINUX_2.6", image.Symbols[7].DisplayName);
        Assert.True(image.Symbols[7].IsHiddenVersion);
        Assert.Equal("__vdso_time@@LINUX_2.6", image.Symbols[5].DisplayName);
    }

    [Fact]
    public void WithoutVersionTables_SymbolsAreUnversioned()
    {
        var bytes = VdsoFixture.Bytes();
        VdsoFixture.Remove(bytes, DT_VERSYM);
        VdsoFixture.Remove(bytes, DT_VERDEF);
        var image = ElfParser.Parse(bytes);
        Assert.Empty(image.Versions);
        Assert.All(image.Symbols, s => Assert.Null(s.Version));
        Assert.Equal("time", image.Symbols[7].DisplayName);
    }

    public static TheoryData<string, Action<byte[]>, string> Corruptions => new()
    {
        { "magic", b => b[1] = (byte)'X', "corrupt ELF image: bad magic 7f 58 4c 46 (want 7f 45 4c 46)" },
        { "class", b => b[4] = 1, "corrupt ELF image: EI_CLASS is 1, not 2 (ELFCLASS64)" },
        { "endian", b => b[5] = 2, "corrupt ELF image: EI_DATA is 2, not 1 (little-endian)" },
        { "type", b => b[16] = 2, "corrupt ELF image: e_type is 2, not 3 (ET_DYN, a shared object)" },
        { "phnum", b => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(56), 200),
            "corrupt ELF image: program header table (200 x 56 bytes at 0x40) runs past the end of the 8192-byte image" },
        { "symtab", b => VdsoFixture.SetValue(b, DT_SYMTAB, 0x100000),
            "corrupt ELF image: DT_SYMTAB address 0x100000 lies outside every PT_LOAD segment" },
        { "strtab", b => VdsoFixture.Remove(b, DT_STRTAB), "corrupt ELF image: dynamic section has no DT_STRTAB" },
        { "nohash", b => { VdsoFixture.Remove(b, DT_HASH); VdsoFixture.Remove(b, DT_GNU_HASH); },
            "corrupt ELF image: dynamic section has neither DT_GNU_HASH nor DT_HASH (no symbol count)" },
        { "verdef", b => b[(int)VdsoFixture.DynamicValue(b, DT_VERDEF)] = 7,
            "corrupt ELF image: DT_VERDEF entry 0 has vd_version 7, not 1" },
        { "name", b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan((int)VdsoFixture.DynamicValue(b, DT_SYMTAB) + 24), 5000),
            "corrupt ELF image: symbol 1's name at string offset 0x1388 lies outside DT_STRTAB (204 bytes)" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void Corrupt_RaisesOneClearLine(string what, Action<byte[]> corrupt, string message)
    {
        _ = what;
        var bytes = VdsoFixture.Bytes();
        corrupt(bytes);
        var e = Assert.Throws<ElfFormatException>(() => ElfParser.Parse(bytes));
        Assert.Equal(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void EveryTruncation_RaisesElfFormatException_UntilTheTablesAreWhole()
    {
        var bytes = VdsoFixture.Bytes();
        // PT_DYNAMIC (whole, p_filesz bytes) ends last of what the parser reads; every other table ends before it.
        int needed = VdsoFixture.DynamicEnd(bytes);
        Assert.Equal(0x580, needed);
        for (int length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes.AsSpan(0, length).ToArray();
            if (length < needed)
                Assert.Throws<ElfFormatException>(() => ElfParser.Parse(prefix));
            else
                Assert.Equal(12, ElfParser.Parse(prefix).Functions.Count);
        }
    }

    [Fact]
    public void RandomCorruption_NeverRaisesAnythingButElfFormatException()
    {
        var original = VdsoFixture.Bytes();
        var random = new Random(20261122);
        int parsed = 0, refused = 0;
        for (int round = 0; round < 3000; round++)
        {
            var bytes = (byte[])original.Clone();
            // Corrupt a few bytes of the part the parser reads (headers and dynamic tables).
            for (int k = random.Next(1, 4); k > 0; k--) bytes[random.Next(0, 0x600)] = (byte)random.Next(256);
            try
            {
                ElfParser.Parse(bytes);
                parsed++;
            }
            catch (ElfFormatException e)
            {
                Assert.DoesNotContain('\n', e.Message);
                refused++;
            }
        }
        Assert.True(refused > 0 && parsed > 0, $"parsed {parsed}, refused {refused}");
    }

    [Fact]
    public void MappedSize_IsTheLoadSegmentRoundedToPages()
    {
        var bytes = VdsoFixture.Bytes();
        Assert.Equal(0x40 + 4 * 56, ElfParser.HeadersSize(bytes));
        Assert.Equal(8192, ElfParser.MappedSize(bytes, 4096));
    }
}
