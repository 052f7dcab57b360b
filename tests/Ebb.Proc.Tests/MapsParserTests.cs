using System.Text;

namespace Ebb.Proc.Tests;

public class MapsParserTests
{
    private static List<MapEntry> Basic() => MapsParser.Read("basic", Fixtures.Root);

    [Fact]
    public void ReadsEveryLineWithItsNumbers()
    {
        var maps = Basic();
        Assert.Equal(15, maps.Count);
        var first = maps[0];
        Assert.Equal(0x55d1d8f30000UL, first.Start);
        Assert.Equal(0x55d1d8f32000UL, first.End);
        Assert.Equal(0x2000UL, first.Size);
        Assert.Equal(MapPermissions.Read, first.Permissions);
        Assert.Equal("r--p", first.PermissionsText);
        Assert.Equal(0xfeu, first.DeviceMajor);
        Assert.Equal(0u, first.DeviceMinor);
        Assert.Equal(247629UL, first.Inode);
        Assert.Equal("/usr/bin/cat", first.Name);
        Assert.Equal(0x2000UL, maps[1].Offset);
        Assert.Equal(MapPermissions.Read | MapPermissions.Execute, maps[1].Permissions);
    }

    [Fact]
    public void KeepsNamesWithSpacesTabsAndDeletedSuffix()
    {
        var maps = Basic();
        var spaced = maps.Single(m => m.Inode == 77);
        Assert.Equal("/tmp/dir with space/my file (deleted)", spaced.Name);
        Assert.True(spaced.IsDeleted);
        Assert.Equal(MapKind.DeletedFile, spaced.Kind);
        Assert.Equal("/tmp/tab\tname", maps.Single(m => m.Inode == 78).Name);
    }

    [Fact]
    public void ClassifiesSpecialNames()
    {
        var maps = Basic();
        Assert.Equal(MapKind.Heap, maps[2].Kind);
        Assert.Equal(MapKind.Memfd, maps[3].Kind);
        Assert.Equal("/memfd:ebb pool (deleted)", maps[3].Name);
        Assert.Equal(MapPermissions.Read | MapPermissions.Write | MapPermissions.Shared, maps[3].Permissions);
        Assert.Equal(MapKind.SysVShm, maps[4].Kind);
        Assert.Equal(32784UL, maps[4].Inode);
        Assert.Equal(MapKind.DeletedFile, maps[5].Kind); // shared /dev/zero
        Assert.Equal(MapKind.Anonymous, maps[7].Kind);
        Assert.Equal(MapPermissions.None, maps[7].Permissions);
        Assert.Empty(maps[7].RawName); // the trailing blank after the inode is not a name
        Assert.Equal(MapKind.NamedAnonymous, maps[8].Kind);
        Assert.Equal("rwxp", maps[8].PermissionsText);
        Assert.Equal(MapKind.Stack, maps[10].Kind);
        Assert.Equal(MapKind.Vvar, maps[11].Kind);
        Assert.Equal(MapKind.Vdso, maps[12].Kind);
        Assert.Equal(MapKind.Vsyscall, maps[13].Kind);
        Assert.Equal(0xffffffffff601000UL, maps[13].End);
    }

    [Fact]
    public void PreservesRawBytesThatAreNotUtf8()
    {
        var bad = Basic()[14];
        Assert.Equal("/tmp/bad".Length + 2 + "byte".Length, bad.RawName.Length);
        Assert.Equal(0xff, bad.RawName[8]);
        Assert.Equal(0xfe, bad.RawName[9]);
        Assert.Contains('\uFFFD', bad.Name);
    }

    [Fact]
    public void ParsesTheLiveSelfMaps()
    {
        var maps = MapsParser.Read("self");
        Assert.NotEmpty(maps);
        Assert.Contains(maps, m => m.Kind == MapKind.Stack);
        for (int i = 1; i < maps.Count; i++) Assert.True(maps[i - 1].End <= maps[i].Start);
    }

    [Fact]
    public void TruncatedFileIsReportedAsTruncated()
    {
        var data = Fixtures.Bytes("basic", "maps");
        var cut = data.AsSpan(0, data.Length - 20).ToArray();
        var e = Assert.Throws<ProcReadException>(() => MapsParser.Parse(cut, "maps"));
        Assert.Equal(ProcReadErrorKind.Truncated, e.Kind);

        var root = Fixtures.MakeTree("9", ("maps", cut));
        var e2 = Assert.Throws<ProcReadException>(() => MapsParser.Read("9", root));
        Assert.Equal(ProcReadErrorKind.Truncated, e2.Kind);
        Directory.Delete(root, true);
    }

    [Theory]
    [InlineData("zz000-1000 r--p 00000000 00:00 0\n")]
    [InlineData("1000-2000 r--q 00000000 00:00 0\n")]
    [InlineData("1000-2000 r--p 00000000 00:00\n")]
    [InlineData("2000-1000 r--p 00000000 00:00 0\n")]
    [InlineData("1000-2000 r--p 00000000 00:00 0x\n")]
    [InlineData("garbage\n")]
    public void CorruptLinesAreReportedWithTheirLineNumber(string text)
    {
        var data = Encoding.ASCII.GetBytes("1000-2000 r--p 00000000 00:00 0 \n" + text);
        var e = Assert.Throws<ProcReadException>(() => MapsParser.Parse(data, "x/maps"));
        Assert.Equal(ProcReadErrorKind.Corrupt, e.Kind);
        Assert.Contains("line 2", e.Message);
    }

    [Fact]
    public void MissingProcessIsNotFound()
    {
        var e = Assert.Throws<ProcReadException>(() => MapsParser.Read("999999999", Fixtures.Root));
        Assert.Equal(ProcReadErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public void LargeFilesStreamAcrossBufferBoundaries()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 20000; i++)
            sb.Append($"{0x10000 + i * 0x2000:x8}-{0x11000 + i * 0x2000:x8} rw-p 00000000 00:00 0                          [anon:n{i}]\n");
        var root = Fixtures.MakeTree("7", ("maps", Encoding.ASCII.GetBytes(sb.ToString())));
        try
        {
            var maps = MapsParser.Read("7", root);
            Assert.Equal(20000, maps.Count);
            Assert.Equal("[anon:n19999]", maps[^1].Name);
            Assert.Equal((ulong)(0x10000 + 12345 * 0x2000), maps[12345].Start);
        }
        finally { Directory.Delete(root, true); }
    }
}
