using Ebb.Cli.Terminal;
using Ebb.Cli.Commands;
namespace Ebb.Cli.Tests.Commands;

public class VerbOptionsTests
{
    private sealed class Seen
    {
        public bool Json;
        public string? Output;
        public List<string> Words { get; } = [];
    }

    private static (VerbOptions Parser, Seen Seen) Make()
    {
        var seen = new Seen();
        var parser = new VerbOptions("demo").Help()
            .Flag("--json", () => seen.Json = true)
            .Value("-o|--output", v => seen.Output = v)
            .Positional(seen.Words.Add);
        return (parser, seen);
    }

    [Fact]
    public void FlagsValuesAndWords_InAnyOrder()
    {
        var (parser, seen) = Make();
        Assert.True(parser.Parse(["a", "--json", "-o", "x.svg", "-", "b"]));
        Assert.True(seen.Json);
        Assert.Equal("x.svg", seen.Output);
        Assert.Equal(["a", "-", "b"], seen.Words);
    }

    [Theory]
    [InlineData("--output=m.html", "m.html")]
    [InlineData("--output=", "")]
    [InlineData("--output=a=b", "a=b")]
    public void LongValue_MayFollowAnEqualsSign(string arg, string expected)
    {
        var (parser, seen) = Make();
        Assert.True(parser.Parse([arg]));
        Assert.Equal(expected, seen.Output);
    }

    [Fact]
    public void AValueOption_TakesTheNextArgument_EvenIfItLooksLikeAnOption()
    {
        var (parser, seen) = Make();
        Assert.True(parser.Parse(["-o", "--json"]));
        Assert.Equal("--json", seen.Output);
        Assert.False(seen.Json);
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("-x")]
    [InlineData("--json=yes")]  // a flag takes no value
    [InlineData("-o=x")]        // only long names take '='
    public void UnknownOptions_AreOneLineErrors_AsTyped(string arg)
    {
        var (parser, _) = Make();
        var e = Assert.Throws<CliException>(() => parser.Parse([arg]));
        Assert.Equal($"ebb demo: unknown option '{arg}' (try 'ebb demo --help')", e.Message);
        Assert.Equal(1, e.ExitCode);
    }

    [Fact]
    public void AMissingValue_NamesTheOptionAsTyped_OrSaysTheOptionsOwnWords()
    {
        var (parser, _) = Make();
        Assert.Equal("ebb demo: option '--output' needs a value", Assert.Throws<CliException>(() => parser.Parse(["--output"])).Message);
        parser.MissingValue(name => $"{name} wants a file");
        Assert.Equal("ebb demo: -o wants a file", Assert.Throws<CliException>(() => parser.Parse(["-o"])).Message);
        parser.Value("-n", _ => { }, missing: "-n needs a count");
        Assert.Equal("ebb demo: -n needs a count", Assert.Throws<CliException>(() => parser.Parse(["-n"])).Message);
    }

    [Fact]
    public void Help_StopsTheWalk()
    {
        var (parser, seen) = Make();
        Assert.False(parser.Parse(["--json", "--help", "--bogus"]));
        Assert.True(seen.Json);
        Assert.False(parser.Parse(["-h"]));
        Assert.Throws<CliException>(() => parser.Parse(["--bogus", "--help"]));
    }

    [Fact]
    public void WithoutAPositionalHandler_AWordIsAnUnknownOption()
    {
        var parser = new VerbOptions("lab x").Flag("--json", () => { });
        Assert.Equal("ebb lab x: unknown option 'stray' (try 'ebb lab x --help')",
            Assert.Throws<CliException>(() => parser.Parse(["stray"])).Message);
    }
}
