using Ebb.Cli.Terminal;
using static Ebb.Cli.Tests.CliRunner;

namespace Ebb.Cli.Tests;

public class CliTests
{
    [Fact]
    public void UnknownVerb_IsOneLineAndNonZero()
    {
        var (code, stdout, err) = Run("frobnicate");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal("ebb: unknown command 'frobnicate' (try 'ebb --help')" + Environment.NewLine, err);
    }

    [Fact]
    public void Help_ListsTour()
    {
        var (code, stdout, _) = Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("tour", stdout);
    }

    [Theory]
    [InlineData("one line", "one line")]
    [InlineData("ebb: ERROR: double-free: 0x10\nallocated at:\n    at X.Y", "ebb: ERROR: double-free: 0x10")]
    [InlineData("\r\n  \nsecond\r\nthird", "second")]
    [InlineData("", "failed")]
    public void FirstLine_KeepsAnErrorToOneLine(string message, string expected) =>
        Assert.Equal(expected, CliException.FirstLine(message));
}
