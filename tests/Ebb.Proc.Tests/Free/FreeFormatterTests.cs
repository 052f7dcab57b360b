using Ebb.Proc.Free;

namespace Ebb.Proc.Tests.Free;

/// <summary>
/// The formatter on saved meminfo trees, against the real free's output for the same tree
/// (every recorded option set that is a plain combination of flags: no loop, no error).
/// </summary>
public class FreeFormatterTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string tree in FreeExpectations.TreeNames())
        {
            var records = FreeExpectations.Load(tree);
            for (int i = 0; i < records.Count; i++)
                if (records[i].ExitCode == 0 && TryOptions(records[i].Args, out _)) data.Add(tree, i);
        }
        return data;
    }

    // Flags only, each spelled in full, so that this stays independent of the CLI's parser.
    private static bool TryOptions(string[] args, out FreeOptions options)
    {
        options = new FreeOptions();
        foreach (string a in args)
        {
            switch (a)
            {
                case "-l" or "--lohi": options = options with { LowHigh = true }; break;
                case "-t" or "--total": options = options with { Total = true }; break;
                case "-v" or "--committed": options = options with { Committed = true }; break;
                case "-w" or "--wide": options = options with { Wide = true }; break;
                case "-h" or "--human": options = options with { Human = true }; break;
                case "--si": options = options with { SI = true }; break;
                case "-b" or "-k" or "-m" or "-g" or "--tebi" or "--pebi" or "--kilo" or "--mega" or "--giga" or "--tera" or "--peta":
                    var unit = SizeScalerTests.OptionsFor(a);
                    options = options with { Exponent = unit.Exponent, SI = options.SI || unit.SI };
                    break;
                default: return false;
            }
        }
        return true;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Format_MatchesProcps(string tree, int index)
    {
        var expected = FreeExpectations.Load(tree)[index];
        Assert.True(TryOptions(expected.Args, out var options));
        var figures = FreeCalculator.Compute(MeminfoReader.Read(FreeExpectations.Tree(tree)));
        Assert.Equal(expected.Stdout, FreeFormatter.Format(figures, options));
    }

    [Fact]
    public void Format_IsPure()
    {
        var figures = new FreeFigures { MemTotal = 2048, MemFree = 1024, Available = 1536, MemUsed = 512 };
        var o = new FreeOptions { Human = true, Total = true };
        Assert.Equal(FreeFormatter.Format(figures, o), FreeFormatter.Format(figures, o));
        Assert.Equal(
            FreeFormatter.Header + "\n" +
            "Mem:           2.0Mi       512Ki       1.0Mi          0B          0B       1.5Mi\n" +
            "Swap:             0B          0B          0B\n" +
            "Total:         2.0Mi       512Ki       1.0Mi\n",
            FreeFormatter.Format(figures, o));
    }
}
