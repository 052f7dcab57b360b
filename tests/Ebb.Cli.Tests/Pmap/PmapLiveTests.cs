using Ebb.Cli.Commands;
using System.Text;

namespace Ebb.Cli.Tests.Pmap;

/// <summary>
/// ebb pmap against /usr/bin/pmap (procps-ng 4.0.2) on a real stopped process. Everything is
/// compared byte for byte except the smaps columns that move when another process maps the same
/// file pages (Pss and the Shared_/Private_ split), which are compared with a tolerance.
/// </summary>
public class PmapLiveTests(PmapSubject subject) : IClassFixture<PmapSubject>
{
    private string Pid => subject.Pid.ToString();

    private static (byte[] Out, string Err, int Code) Ebb(params string[] args)
    {
        var stdout = new MemoryStream();
        var stderr = new StringWriter();
        int code = PmapCommand.Run(args, stdout, stderr, null);
        return (stdout.ToArray(), stderr.ToString(), code);
    }

    private static (byte[] Out, string Err, int Code) Procps(params string[] args) => PmapSubject.Run("/usr/bin/pmap", args);

    [Theory]
    [InlineData("")]
    [InlineData("-x")]
    [InlineData("-d")]
    [InlineData("-q")]
    [InlineData("-p")]
    [InlineData("-x -p")]
    [InlineData("-x -q")]
    [InlineData("-d -p -q")]
    public void MatchesProcpsByteForByte(string options)
    {
        var args = options.Split(' ', StringSplitOptions.RemoveEmptyEntries).Append(Pid).ToArray();
        var expected = Procps(args);
        var actual = Ebb(args);
        Assert.Equal(Encoding.UTF8.GetString(expected.Out), Encoding.UTF8.GetString(actual.Out));
        Assert.Equal(expected.Out, actual.Out);
        Assert.Equal(expected.Err, actual.Err);
        Assert.Equal(expected.Code, actual.Code);
        Assert.True(Encoding.UTF8.GetString(actual.Out).Split('\n').Length > PmapSubject.Mappings / 2);
    }

    [Fact]
    public void RangeMatchesProcps()
    {
        var maps = File.ReadAllLines($"/proc/{Pid}/maps");
        var lo = maps[10].Split('-')[0];
        var hi = maps[maps.Length / 2].Split('-')[0];
        foreach (var opt in new[] { "", "-x", "-d" })
        {
            var args = opt.Split(' ', StringSplitOptions.RemoveEmptyEntries).Concat(["-A", $"{lo},{hi}", Pid]).ToArray();
            Assert.Equal(Procps(args).Out, Ebb(args).Out);
        }
    }

    [Theory]
    [InlineData("-X")]
    [InlineData("-XX")]
    [InlineData("-X -q")]
    [InlineData("-XX -p")]
    public void SmapsLayoutsMatchProcpsUpToSharing(string options)
    {
        var args = options.Split(' ').Append(Pid).ToArray();
        var expected = Encoding.UTF8.GetString(Procps(args).Out).Split('\n');
        var actual = Encoding.UTF8.GetString(Ebb(args).Out).Split('\n');
        Assert.Equal(expected.Length, actual.Length);
        Assert.Equal(expected[0], actual[0]);
        bool quiet = options.Contains("-q");
        string[]? header = quiet ? null : Tokens(expected[1]);
        if (header is not null) Assert.Equal(header, Tokens(actual[1]));
        for (int i = quiet ? 1 : 2; i < expected.Length; i++)
        {
            var e = Tokens(expected[i]);
            var a = Tokens(actual[i]);
            Assert.Equal(e.Length, a.Length);
            bool footer = e.Length > 0 && (e[^1] == "KB" || e[0].StartsWith('='));
            for (int k = 0; k < e.Length; k++)
            {
                // Rows start with the five columns before the smaps fields; the footer has only the fields.
                int column = footer ? k + 5 : k;
                string name = header is not null && column < header.Length ? header[column] : "";
                if (e[k] == a[k]) continue;
                Assert.True(Moves(name, quiet) && ulong.TryParse(e[k], out var x) && ulong.TryParse(a[k], out var y)
                    && Math.Abs((long)x - (long)y) <= Math.Max(64, (long)Math.Max(x, y) / 4),
                    $"line {i}, column {name}: procps '{e[k]}', ebb '{a[k]}'\n{expected[i]}\n{actual[i]}");
            }
        }
    }

    // Pss and the shared/private split depend on who else maps the pages; with -q there is no
    // header to tell columns apart, so any number may differ within the tolerance.
    private static bool Moves(string column, bool quiet) =>
        quiet || column.StartsWith("Pss") || column.StartsWith("SwapPss") || column.StartsWith("Shared_") || column.StartsWith("Private_");

    private static string[] Tokens(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void SeveralPidsAndAMissingOneExitWith42()
    {
        string[] args = ["-x", Pid, "2147483647", $"/proc/{Pid}"];
        var expected = Procps(args);
        var actual = Ebb(args);
        Assert.Equal(42, expected.Code);
        Assert.Equal(expected.Code, actual.Code);
        Assert.Equal(expected.Out, actual.Out);
        Assert.Equal(expected.Err, actual.Err);
    }

    [Fact]
    public void HexPidIsAcceptedAsProcpsDoes()
    {
        var hex = "0x" + subject.Pid.ToString("x");
        Assert.Equal(Procps(hex).Out, Ebb(hex).Out);
    }

    [SkippableFact]
    public void UnreadablePidMatchesProcpsWhereOneExists()
    {
        // As root every maps file is readable except where the kernel's ptrace rules forbid it
        // (pid 1 in some containers). Find such a pid; if there is none there is nothing to compare.
        string? pid = Directory.EnumerateDirectories("/proc").Select(Path.GetFileName)
            .Where(n => n!.All(char.IsAsciiDigit)).Take(50).FirstOrDefault(n => !CanRead($"/proc/{n}/maps"));
        Skip.If(pid is null, "every process's maps is readable here: no unreadable pid to compare with procps");
        var expected = Procps(pid);
        var actual = Ebb(pid);
        Assert.Equal(1, expected.Code);
        Assert.Equal(expected.Code, actual.Code);
        Assert.Equal(expected.Out, actual.Out);
        Assert.Equal(expected.Err, actual.Err);
    }

    private static bool CanRead(string path)
    {
        try { using var f = File.OpenRead(path); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return e is not UnauthorizedAccessException; }
    }
}
