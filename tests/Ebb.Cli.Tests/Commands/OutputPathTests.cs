using Ebb.Cli.Terminal;
using Ebb.Cli.Commands;
using System.Diagnostics;
using static Ebb.Cli.Tests.CliRunner;

namespace Ebb.Cli.Tests.Commands;

// Output paths are checked before any work, and refused in one plain line: watch must not sample
// a whole run and then lose it, and no verb prints .NET's "Access to the path ... is denied".
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class OutputPathTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ebb-out-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static void AssertRefused((int Code, string Out, string Err) r, string expected)
    {
        Assert.Equal(1, r.Code);
        Assert.Equal("", r.Out);
        Assert.Equal(expected + "\n", r.Err);
    }

    [Fact]
    public void Watch_ExistingDirectory_IsRefusedBeforeSampling()
    {
        // A long run: were it sampled first, the test would take 100 s instead of failing at once.
        var clock = Stopwatch.StartNew();
        var r = Run("watch", "self", "--count", "100", "--interval", "1", "-o", _dir);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        AssertRefused(r, $"ebb watch: '{_dir}' is a directory; name a file in it, e.g. {_dir}/out.svg");
    }

    [Fact]
    public void Watch_MissingFolder_IsRefusedBeforeSampling()
    {
        string path = Path.Combine(_dir, "no", "w.svg");
        var clock = Stopwatch.StartNew();
        var r = Run("watch", "self", "--count", "100", "--interval", "1", "-o", path);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        AssertRefused(r, $"ebb watch: cannot write '{path}': the folder '{Path.Combine(_dir, "no")}' does not exist");
    }

    [Fact]
    public void Watch_PngName_IsRefusedAsMapRefusesIt()
    {
        string path = Path.Combine(_dir, "x.png");
        AssertRefused(Run("watch", "self", "--count", "1", "-o", path), $"ebb watch: '{path}': the output must end in .svg");
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Map_IntoProc_IsOnePlainLine()
    {
        AssertRefused(Run("map", "self", "-o", "/proc/x.svg"), "ebb map: cannot write '/proc/x.svg': the folder '/proc' does not take new files");
    }

    [Fact]
    public void Map_FileAsFolder_IsOnePlainLine()
    {
        string file = Path.Combine(_dir, "f");
        File.WriteAllText(file, "");
        AssertRefused(Run("map", "self", "-o", file + "/m.svg"), $"ebb map: cannot write '{file}/m.svg': '{file}' is a file, not a folder");
    }

    [Fact]
    public void VdsoDump_IntoDirectory_IsOnePlainLine()
    {
        AssertRefused(Run("vdso", "--dump", _dir), $"ebb vdso: '{_dir}' is a directory; name a file in it, e.g. {_dir}/out");
    }

    [Fact]
    public void Check_LeavesNoFileBehind_AndAnExistingFileUntouched()
    {
        string fresh = Path.Combine(_dir, "new.svg"), old = Path.Combine(_dir, "old.svg");
        File.WriteAllText(old, "kept");
        OutputPath.Check("watch", fresh, ".svg");
        OutputPath.Check("watch", old, ".svg");
        Assert.False(File.Exists(fresh));
        Assert.Equal("kept", File.ReadAllText(old));
    }

    [SkippableFact]
    public void Check_UnwritableFolder_SaysPermissionDenied()
    {
        Skip.If(Environment.UserName == "root", "root writes through mode bits: permission denied cannot be seen");
        string locked = Path.Combine(_dir, "locked");
        Directory.CreateDirectory(locked);
        File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var e = Assert.Throws<CliException>(() => OutputPath.Check("map", Path.Combine(locked, "m.svg"), ".svg"));
        Assert.Equal($"ebb map: cannot write '{locked}/m.svg': permission denied", e.Message);
    }
}
