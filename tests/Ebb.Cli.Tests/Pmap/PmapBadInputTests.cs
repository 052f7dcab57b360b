using Ebb.Cli.Commands;
namespace Ebb.Cli.Tests.Pmap;

/// <summary>Broken, missing and vanished input: one line (or procps's silence), procps's exit code, no stack trace.</summary>
public sealed class PmapBadInputTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ebb-pmap-bad-" + Guid.NewGuid().ToString("N"));
    private readonly string _pid;

    public PmapBadInputTests()
    {
        // A copy of the first fixture process, to be damaged by each test.
        _pid = PmapFixtures.Pids[0];
        var dir = Path.Combine(_root, _pid);
        Directory.CreateDirectory(dir);
        foreach (var f in Directory.GetFiles(Path.Combine(PmapFixtures.ProcRoot, _pid)))
            File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
    }

    public void Dispose() => Directory.Delete(_root, true);

    private string FilePath(string name) => Path.Combine(_root, _pid, name);

    private (string Out, string Err, int Code) Run(params string[] args)
    {
        var (o, e, c) = PmapFixtures.Run(args, _root);
        return (PmapFixtures.Show(o), e, c);
    }

    private static void OneLine(string err)
    {
        Assert.Single(err.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("pmap: ", err);
        Assert.DoesNotContain("   at ", err);
        Assert.DoesNotContain("Exception", err);
    }

    [Theory]
    [InlineData("maps", "")]
    [InlineData("smaps", "-x")]
    [InlineData("smaps", "-X")]
    public void TruncatedFileIsOneLineAndExit1(string file, string option)
    {
        var data = File.ReadAllBytes(FilePath(file));
        File.WriteAllBytes(FilePath(file), data[..(data.Length / 2 + 7)]);
        var (output, err, code) = Run([.. option.Split(' ', StringSplitOptions.RemoveEmptyEntries), _pid]);
        Assert.Equal(1, code);
        OneLine(err);
        Assert.Contains("truncated", err);
        Assert.StartsWith($"{_pid}:   ", output);
    }

    [Theory]
    [InlineData("maps", "", "zz-00 r--p 0 0:0 0\n")]
    [InlineData("smaps", "-X", "Rss: lots kB\n")]
    [InlineData("stat", "", "")]
    public void CorruptFileIsOneLineAndExit1(string file, string option, string garbage)
    {
        if (file == "stat") File.WriteAllText(FilePath(file), "12 (x) S 1 2\n");
        else File.AppendAllText(FilePath(file), garbage);
        var (_, err, code) = Run([.. option.Split(' ', StringSplitOptions.RemoveEmptyEntries), _pid]);
        Assert.Equal(1, code);
        OneLine(err);
    }

    [Fact]
    public void SavedTreeWithoutMapsNamesTheFileAndExit1()
    {
        // Live, a process that exits between the selection (stat) and the read of maps is
        // "the process exited while being read"; a saved tree does not change: its file is missing.
        File.Delete(FilePath("maps"));
        var (output, err, code) = Run(_pid);
        Assert.Equal(1, code);
        Assert.Equal($"pmap: {FilePath("maps")}: missing from the saved tree\n", err);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)); // the header line only
    }

    [Fact]
    public void MissingPidIsExit42AndSilentAsInProcps()
    {
        var (output, err, code) = Run("424242");
        Assert.Equal(42, code);
        Assert.Equal("", output);
        Assert.Equal("", err);
        var both = Run(_pid, "424242");
        Assert.Equal(42, both.Code);
        Assert.StartsWith($"{_pid}:   ", both.Out);
    }

    [Fact]
    public void MissingProcRootIsExit42()
    {
        var (_, err, code) = PmapFixtures.Run([_pid], Path.Combine(_root, "nowhere"));
        Assert.Equal(42, code);
        Assert.Equal("", err);
    }

    [Theory]
    [InlineData("-A", "xyz")]
    [InlineData("-A", "10,20g")]
    [InlineData("--range", "-")]
    public void RangeThatIsNotHexIsOneLine(string option, string value)
    {
        var (_, err, code) = Run(option, value, _pid);
        Assert.Equal(1, code);
        Assert.Equal($"pmap: failed to parse argument: '{value}'\n", err);
    }

    [Fact]
    public void ThroughTheCliNothingThrows()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        File.WriteAllText(FilePath("smaps"), "garbage\n");
        int code = Cli.Run(["pmap", "-X", "--proc-root", _root, _pid], stdout, stderr);
        Assert.Equal(1, code);
        OneLine(stderr.ToString());
    }

    [Fact]
    public void RcFilesAreCreatedOnceWithProcpsTemplate()
    {
        var rc = Path.Combine(_root, "new.rc");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(0, PmapCommand.Run(["-N", rc], stdout, stderr));
        Assert.Equal("pmap: rc file successfully created, feel free to edit the content\n", stderr.ToString());
        Assert.Equal(Ebb.Proc.Pmap.PmapRcFile.Template, File.ReadAllText(rc));
        stderr = new StringWriter();
        Assert.Equal(1, PmapCommand.Run(["-N", rc], stdout, stderr));
        Assert.Equal("pmap: the file already exists - delete or rename it first\npmap: couldn't create the rc file\n", stderr.ToString());
    }
}
