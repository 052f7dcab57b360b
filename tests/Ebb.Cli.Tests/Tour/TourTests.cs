using Ebb.Cli.Tour;
using Ebb.Cli.Terminal;
using static Ebb.Cli.Tests.CliRunner;

namespace Ebb.Cli.Tests.Tour;

public class TourTests
{
    [Fact]
    public void Options_AreParsed()
    {
        var o = TourOptions.Parse(["--no-color", "--chapter", "brk,mmap", "--chapter=free"]);
        Assert.False(o.Color);
        Assert.Equal(["brk", "mmap", "free"], o.Only);
        Assert.True(TourOptions.Parse(["--color"]).Color);
        Assert.Null(TourOptions.Parse([]).Color);
    }

    [Fact]
    public void UnknownOption_IsOneLineAndNonZero()
    {
        var (code, stdout, err) = Run("tour", "--frob");
        Assert.NotEqual(0, code);
        Assert.Equal("", stdout);
        Assert.Equal("ebb tour: unknown option '--frob' (try 'ebb tour --help')" + Environment.NewLine, err);
    }

    [Fact]
    public void UnknownChapter_IsOneLineAndNonZero()
    {
        var (code, _, err) = Run("tour", "--chapter", "nosuch");
        Assert.NotEqual(0, code);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Contains("nosuch", err);
    }

    [Fact]
    public void List_NamesEveryChapterInOrder()
    {
        var (code, stdout, _) = Run("tour", "--list");
        Assert.Equal(0, code);
        var names = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]).ToArray();
        Assert.Equal(TourCommand.All.Select(c => c.Name), names);
        Assert.Equal(names.Length, names.Distinct().Count());
    }

    [Fact]
    public void Chapters_HaveHeadingsAndExplanations()
    {
        foreach (var c in TourCommand.All)
        {
            Assert.False(string.IsNullOrWhiteSpace(c.Title), c.Name);
            Assert.False(string.IsNullOrWhiteSpace(c.Explanation), c.Name);
        }
    }

    [Fact]
    public void Style_ColoursOnlyWhenAsked()
    {
        Assert.Equal("x", TextStyle.Plain.Fact("x"));
        Assert.Equal("\e[33mx\e[0m", TextStyle.Ansi.Fact("x"));
        var plain = new TourContext(new StringWriter(), new StringWriter(), []);
        Assert.Same(TextStyle.Plain, plain.Style);
        Assert.Same(TextStyle.Ansi, (plain with { Color = true }).Style);
    }

    [Fact]
    public void Output_ToAWriterThatIsNotATerminal_IsNotInteractive()
    {
        Assert.False(TourContext.IsTerminal(new StringWriter()));
    }

    [Fact]
    public void Progress_WithoutATerminal_WritesNothing()
    {
        var o = new StringWriter();
        var context = new TourContext(o, new StringWriter(), []);
        using (var p = context.Progress("working"))
        {
            p.Report(1, 2);
            p.Report(2, 2);
        }
        Assert.Equal("", o.ToString());
    }

    [Fact]
    public void Progress_OnATerminal_DrawsABarAndErasesIt()
    {
        var o = new StringWriter();
        var context = new TourContext(o, new StringWriter(), []) { Interactive = true };
        using (var p = context.Progress("working")) p.Report(1.0);
        string s = o.ToString();
        Assert.Contains("working [########################] 100%", s);
        Assert.EndsWith("\r", s);
        Assert.Equal("", s.Split('\r')[^2].Trim());
    }

    [Fact]
    public void Wrap_KeepsLinesWithinWidth()
    {
        string text = string.Join(' ', Enumerable.Repeat("word", 50)) + "\n\nnext";
        var lines = TextWrap.Wrap(text, 30).ToList();
        Assert.All(lines, l => Assert.True(l.Length <= 30));
        Assert.Equal(text.Replace("\n", " ").Split(' ', StringSplitOptions.RemoveEmptyEntries), string.Join(' ', lines).Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", lines[^2]);
    }
}

public class TourRunTests
{
    [Fact]
    public void LabChapters_RunInOrder_WithHeadings_AndNoColourOffATerminal()
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Cli.Run(["tour", "--chapter", "brk,mmap,madvise"], o, e);
        string text = o.ToString();
        Assert.True(code == 0, e.ToString() + text);
        Assert.DoesNotContain("\e[", text);
        int brk = text.IndexOf("== 1/3  brk:", StringComparison.Ordinal);
        int mmap = text.IndexOf("== 2/3  mmap:", StringComparison.Ordinal);
        int madvise = text.IndexOf("== 3/3  madvise:", StringComparison.Ordinal);
        Assert.True(brk >= 0 && brk < mmap && mmap < madvise, text);
        // The facts themselves are asserted by the lab tests (in child processes, where no other
        // test's threads map memory meanwhile); here, that each chapter printed its report.
        Assert.Contains("mmap(NULL, 20, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x", text);
        Assert.Contains("after MADV_DONTNEED:      aaaaaaaaaa", text);
        Assert.Contains("The kernel maps whole pages:", text);
        Assert.Contains("== end of the tour ==", text);
    }

    [Fact]
    public void Color_IsUsedWhenAsked()
    {
        var o = new StringWriter();
        int code = Cli.Run(["tour", "--color", "--chapter", "mmap"], o, new StringWriter());
        Assert.Equal(0, code);
        Assert.Contains("\e[1;36m== 1/1  mmap:", o.ToString());
    }

    [Fact]
    public void Chapters_AreInTheAgreedOrder()
    {
        string[] order = ["free", "pmap", "vdso", "brk", "mmap", "madvise", "allocator", "checked"];
        var names = TourCommand.All.Select(c => c.Name).ToList();
        var known = names.Where(order.Contains).ToList();
        Assert.Equal(order.Where(names.Contains), known);
    }
}
