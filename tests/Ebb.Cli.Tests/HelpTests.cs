using static Ebb.Cli.Tests.CliRunner;

namespace Ebb.Cli.Tests;

// Help says what a verb takes, ebb's own options too; a listing asked for is not a failure.
public class HelpTests
{
    [Fact]
    public void Lab_WithNoArguments_ListsAndExitsZero()
    {
        var r = Run("lab");
        Assert.Equal((0, ""), (r.Code, r.Err));
        Assert.Contains("  errors ", r.Out);
        Assert.Equal(r.Out, Run("lab", "--help").Out);
    }

    [Theory]
    [InlineData("free", "--proc-root DIR")]
    [InlineData("pmap", "--proc-root DIR")]
    [InlineData("pmap", "'self'")]
    [InlineData("pmap", "cannot be read")]
    [InlineData("lab", "--json")]
    [InlineData("lab", "--strace")]
    [InlineData("lab errors", "overflow-16")]
    [InlineData("lab errors", "read-overflow")]
    public void Help_Mentions(string verb, string expected)
    {
        var r = Run([.. verb.Split(' '), "--help"]);
        Assert.Equal(0, r.Code);
        Assert.Contains(expected, r.Out);
    }

    // A bad command line still gets procps's usage alone, byte for byte, on stderr.
    [Theory]
    [InlineData("free")]
    [InlineData("pmap")]
    public void BadOption_UsageStaysProcps(string verb)
    {
        var r = Run(verb, "--bogus-option");
        Assert.DoesNotContain("ebb's own", r.Err);
    }
}
