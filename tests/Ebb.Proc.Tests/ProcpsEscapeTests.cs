using System.Text;
using Ebb.Proc.Pmap;

namespace Ebb.Proc.Tests;

/// <summary>
/// The header text procps pmap shows for a command line. Expected values are what
/// /usr/bin/pmap (procps-ng 4.0.2) printed for `sh -c 'sleep 100' ARG` under LANG=C.UTF-8 and LANG=C.
/// </summary>
public class ProcpsEscapeTests
{
    private static string Utf8Header(params byte[][] args) => Header(true, args);

    private static string Header(bool utf8, params byte[][] args)
    {
        var raw = new List<byte>();
        foreach (var a in new[] { "sh"u8.ToArray(), "-c"u8.ToArray(), "sleep 100"u8.ToArray() }.Concat(args))
        {
            raw.AddRange(a);
            raw.Add(0);
        }
        return Encoding.Latin1.GetString(ProcpsEscape.CommandLine(raw.ToArray(), "sh"u8, 'T', utf8));
    }

    private static string L(byte[] b) => "sh -c sleep 100 " + Encoding.Latin1.GetString(b);

    [Fact]
    public void ValidUtf8IsKeptInAUtf8Locale()
    {
        byte[] s = [0xc3, 0xbc, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80];
        Assert.Equal(L(s), Utf8Header(s));
        Assert.Equal(L([0xc2, 0x85]), Utf8Header([0xc2, 0x85])); // a C1 control passes: only its lead byte is looked at
        Assert.Equal(L([0xee, 0x80, 0x80]), Utf8Header([0xee, 0x80, 0x80]));
    }

    [Fact]
    public void ControlsBecomeQuestionMarksAndNewlinesSpaces()
    {
        Assert.Equal(L("?"u8.ToArray().Concat(new byte[] { 0xc3, 0xbc }).ToArray()), Utf8Header([0x7f, 0xc3, 0xbc]));
        Assert.Equal("sh -c sleep 100 a?b c", Utf8Header("a\tb\nc"u8.ToArray()));
    }

    [Fact]
    public void AfterTheFirstBadByteEveryNonAsciiByteIsAQuestionMark()
    {
        Assert.Equal("sh -c sleep 100 a?b??", Utf8Header([(byte)'a', 0xff, (byte)'b', 0xc3, 0xbc]));
        Assert.Equal("sh -c sleep 100 ? ??", Utf8Header([0x80], [0xc3, 0xbc]));
        Assert.Equal("sh -c sleep 100 ?", Utf8Header([0xc3]));
        Assert.Equal("sh -c sleep 100 ??", Utf8Header([0xe2, 0x82]));
    }

    [Fact]
    public void InTheCLocaleControlsAreDotsAndHighBytesQuestionMarks()
    {
        Assert.Equal("sh -c sleep 100 .. ~. ??", Header(false, [0x01, 0x02], [(byte)'~', 0x7f], [0xc3, 0xbc]));
    }

    [Fact]
    public void EmptyCmdlineShowsTheCommInBrackets()
    {
        Assert.Equal("[kthreadd]", Encoding.ASCII.GetString(ProcpsEscape.CommandLine([], "kthreadd"u8, 'S', true)));
        Assert.Equal("[sleep] <defunct>", Encoding.ASCII.GetString(ProcpsEscape.CommandLine([], "sleep"u8, 'Z', true)));
        Assert.Equal("?", Encoding.ASCII.GetString(ProcpsEscape.CommandLine([0, 0], "x"u8, 'S', true)));
    }

    [Fact]
    public void TrailingSpaceOrNewlineIsDropped()
    {
        Assert.Equal("a b", Encoding.ASCII.GetString(ProcpsEscape.Unvectored("a b "u8)));
        Assert.Equal("a b", Encoding.ASCII.GetString(ProcpsEscape.Unvectored("a b\n"u8)));
        Assert.Equal("a b ", Encoding.ASCII.GetString(ProcpsEscape.Unvectored("a b \0"u8)));
        Assert.Equal(ProcpsEscape.MaxBufferSize - 1, ProcpsEscape.Unvectored(new byte[200_000].Select(_ => (byte)'x').ToArray()).Length);
    }
}
