using Ebb.Cli.Commands;
namespace Ebb.Cli.Tests.Commands;

/// <summary>glibc getopt_long behaviours, on a small option table of their own.</summary>
public class GetoptLongTests
{
    private static readonly GetoptLong s_parser = new("prog", "ab:c", [
        new("alpha", false, "a"),
        new("beta", true, "b"),
        new("alpine", false, "alpine"),
        new("exact", false, "x"),
        new("exactly", false, "y"),
        new("own", true, "own", Abbreviable: false),
    ]);

    private static (List<string> Steps, List<string> Operands) Parse(params string[] args)
    {
        var operands = new List<string>();
        var steps = s_parser.Parse(args, operands).Select(o => o.Error ?? $"{o.Id}={o.Argument}").ToList();
        return (steps, operands);
    }

    [Fact]
    public void ShortClusters_AndAttachedOrSeparateArguments()
    {
        Assert.Equal(["a=", "c=", "b=1", "b=2", "b=-c"], Parse("-ac", "-b1", "-b", "2", "-b", "-c").Steps);
    }

    [Fact]
    public void Operands_ArePermutedAfterOptions_AndDoubleDashEndsOptions()
    {
        var (steps, operands) = Parse("x", "-a", "-", "--", "-c");
        Assert.Equal(["a="], steps);
        Assert.Equal(["x", "-", "-c"], operands);
    }

    [Fact]
    public void LongOptions_ExactBeatsPrefix_UniquePrefixWorks_AmbiguityListsInTableOrder()
    {
        Assert.Equal(["x="], Parse("--exact").Steps);
        Assert.Equal(["b=3"], Parse("--be=3").Steps);
        Assert.Equal(["prog: option '--alp' is ambiguous; possibilities: '--alpha' '--alpine'"], Parse("--alp").Steps);
        Assert.Equal(["prog: option '--exac=1' is ambiguous; possibilities: '--exact' '--exactly'"], Parse("--exac=1").Steps);
    }

    [Fact]
    public void Errors_AreGlibcsMessages()
    {
        Assert.Equal(["prog: invalid option -- 'z'"], Parse("-z").Steps);
        Assert.Equal(["prog: option requires an argument -- 'b'"], Parse("-b").Steps);
        Assert.Equal(["prog: unrecognized option '--nope=1'"], Parse("--nope=1").Steps);
        Assert.Equal(["prog: option '--alpha' doesn't allow an argument"], Parse("--alpha=1").Steps);
        Assert.Equal(["prog: option '--beta' requires an argument"], Parse("--beta").Steps);
    }

    [Fact]
    public void NonAbbreviableOption_NeedsItsFullName()
    {
        Assert.Equal(["own=d"], Parse("--own", "d").Steps);
        Assert.Equal(["prog: unrecognized option '--ow'"], Parse("--ow", "d").Steps);
    }
}
