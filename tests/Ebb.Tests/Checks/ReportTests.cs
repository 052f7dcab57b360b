using Ebb.Checks;

namespace Ebb.Tests.Checks;

public class ReportTests
{
    [Theory]
    [InlineData(0x1000 + 13, "0 bytes after the 13-byte block at 0x1000")]
    [InlineData(0x1000 + 16, "3 bytes after the 13-byte block at 0x1000")]
    [InlineData(0x1000 - 1, "1 byte before the 13-byte block at 0x1000")]
    [InlineData(0x1000 + 8, "8 bytes inside the 13-byte block at 0x1000")]
    [InlineData(0x1000 + 1, "1 byte inside the 13-byte block at 0x1000")]
    public void Where_SaysWhereTheAccessFell(long address, string expected) =>
        Assert.Equal(expected, Report.Where((nint)address, 0x1000, 13));

    [Fact]
    public void Written_NamesCountOffsetAndWhen() =>
        Assert.Equal("1 byte written 5 bytes inside the freed 40-byte block at 0xabc, found by Validate()",
            Report.Written(1, 0xabc + 5, 0xabc, 40, true, "by Validate()"));

    [Fact]
    public void FirstLine_UsesTheKebabKind() =>
        Assert.Equal("ebb: ERROR: double-free: x", Report.FirstLine(EbbErrorKind.DoubleFree, "x"));
}
