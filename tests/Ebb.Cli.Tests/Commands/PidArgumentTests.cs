using Ebb.Cli.Commands;
using static Ebb.Cli.Tests.CliRunner;

namespace Ebb.Cli.Tests.Commands;

// One pid syntax for every verb: what `ebb pmap` takes (as procps does, plus self), map, watch
// and vdso take too.
public class PidArgumentTests
{
    private static readonly int s_me = Environment.ProcessId;

    [Theory]
    [InlineData("1234", "1234")]
    [InlineData("0x4d2", "1234")]
    [InlineData("0X4D2", "1234")]
    [InlineData("02322", "1234")]       // octal, as strtoul base 0 (and so procps pmap) reads it
    [InlineData("/proc/1234", "1234")]
    [InlineData("/proc/0x4d2", "1234")]
    [InlineData("/proc/1234/", "1234")]
    [InlineData("self", "self")]
    [InlineData("/proc/self", "self")]
    [InlineData("2147483647", "2147483647")]
    public void Parse_Accepts(string text, string expected) => Assert.Equal(expected, PidArgument.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("abc")]
    [InlineData("0x")]
    [InlineData("12x")]
    [InlineData("09")]
    [InlineData("2147483648")]
    [InlineData("99999999999999999999")]
    [InlineData("/proc/")]
    [InlineData("/proc/abc")]
    [InlineData("Self")]
    public void Parse_Refuses(string text) => Assert.Null(PidArgument.Parse(text));

    public static TheoryData<string, string> VerbsAndSpellings()
    {
        var d = new TheoryData<string, string>();
        foreach (string verb in (string[])["map", "watch", "vdso", "pmap"])
            foreach (string spelling in (string[])["self", s_me.ToString(), $"0x{s_me:x}", $"/proc/{s_me}"])
                d.Add(verb, spelling);
        return d;
    }

    [Theory]
    [MemberData(nameof(VerbsAndSpellings))]
    public void EveryVerb_TakesEverySpelling(string verb, string pid)
    {
        string[] args = verb switch
        {
            "map" => ["map", pid, "-o", "-"],
            "watch" => ["watch", pid, "--count", "1", "--interval", "0.001"],
            _ => [verb, pid],
        };
        var r = Run(args);
        Assert.True(r.Code == 0, $"ebb {string.Join(' ', args)}: exit {r.Code}: {r.Err}");
        Assert.NotEqual("", r.Out);
    }

    [Fact]
    public void Pmap_Self_IsThisProcess()
    {
        var self = Run("pmap", "-q", "self");
        Assert.Equal(0, self.Code);
        Assert.StartsWith($"{s_me}:", self.Out);
    }

    [Theory]
    [InlineData("map")]
    [InlineData("watch")]
    [InlineData("vdso")]
    [InlineData("stats")]
    public void EveryVerb_RefusesANonPidInOneLine(string verb)
    {
        var r = Run(verb, "12x");
        Assert.Equal((1, ""), (r.Code, r.Out));
        Assert.Equal($"ebb {verb}: '12x' is not a process id (a number, 0x hex, /proc/PID or self)\n", r.Err);
    }
}
