using System.Globalization;
using Ebb.Proc.Free;

namespace Ebb.Proc.Tests.Free;

/// <summary>
/// scale_size against expected/scale.tsv: what the real free printed for each size and unit
/// option (the Mem: total column), and for 0 - size (the Comm: free column, a wrapped value).
/// </summary>
public class SizeScalerTests
{
    public static TheoryData<string, string, string, string> Table()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (string line in File.ReadLines(Path.Combine(FreeExpectations.Dir, "expected", "scale.tsv")))
        {
            string[] c = line.Split('\t');
            data.Add(c[0], c[1], c[2], c[3]);
        }
        return data;
    }

    internal static FreeOptions OptionsFor(string mode) => mode switch
    {
        "" => new FreeOptions(),
        "-b" => new FreeOptions { Exponent = 1 },
        "-k" => new FreeOptions { Exponent = 2 },
        "-m" => new FreeOptions { Exponent = 3 },
        "-g" => new FreeOptions { Exponent = 4 },
        "--tebi" => new FreeOptions { Exponent = 5 },
        "--pebi" => new FreeOptions { Exponent = 6 },
        "--kilo" => new FreeOptions { Exponent = 2, SI = true },
        "--mega" => new FreeOptions { Exponent = 3, SI = true },
        "--giga" => new FreeOptions { Exponent = 4, SI = true },
        "--tera" => new FreeOptions { Exponent = 5, SI = true },
        "--peta" => new FreeOptions { Exponent = 6, SI = true },
        "--si" => new FreeOptions { SI = true },
        "-h" => new FreeOptions { Human = true },
        "-h --si" => new FreeOptions { Human = true, SI = true },
        _ => throw new ArgumentException(mode),
    };

    // xunit skips a theory row whose arguments repeat an earlier one ("Skipping test case with
    // duplicate ID"), so a repeated size would silently not run: each size and mode once.
    [Fact]
    public void Table_HasEachSizeAndModeOnce()
    {
        var repeated = File.ReadLines(Path.Combine(FreeExpectations.Dir, "expected", "scale.tsv"))
            .Select(l => string.Join('\t', l.Split('\t')[..2]))
            .GroupBy(k => k).Where(g => g.Count() > 1).Select(g => g.Key.Replace('\t', ' ')).ToList();
        Assert.True(repeated.Count == 0, "repeated rows in scale.tsv: " + string.Join(", ", repeated.Take(5)));
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void Scale_MatchesProcps(string kib, string mode, string positive, string negative)
    {
        ulong v = ulong.Parse(kib, CultureInfo.InvariantCulture);
        var o = OptionsFor(mode);
        Assert.Equal(positive, SizeScaler.Scale(v, o));
        Assert.Equal(negative, SizeScaler.Scale(unchecked(0 - v), o));
    }

    [Theory]
    [InlineData(1.25f, "1.2")]   // an exact tie rounds to even, as glibc does (.NET's "F1" gives 1.3)
    [InlineData(1.75f, "1.8")]
    [InlineData(2.25f, "2.2")]
    [InlineData(0.05f, "0.1")]   // 0.05f is a little above 0.05
    [InlineData(999.95f, "1000.0")]
    [InlineData(-97.65625f, "-97.7")]
    [InlineData(16777216f, "16777216.0")]
    public void FormatOneDecimal_IsGlibcPrintf(float value, string expected)
    {
        Assert.Equal(expected, SizeScaler.FormatOneDecimal(value));
    }
}
