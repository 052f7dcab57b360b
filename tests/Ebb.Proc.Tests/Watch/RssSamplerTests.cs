using System.Runtime.CompilerServices;
using Ebb.Proc.Watch;

namespace Ebb.Proc.Tests.Watch;

public sealed class RssSamplerTests : IDisposable
{
    // xunit makes an instance per test: each test gets a fresh saved tree, removed afterwards.
    private readonly string _root = Tree();

    /// <summary>Removes this test's saved tree.</summary>
    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }

    private static string BasicStatus([CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "..", "fixtures", "basic", "status");

    // A saved /proc tree holding one process, 4242, with the basic fixture's status file.
    private static string Tree()
    {
        string root = Path.Combine(Path.GetTempPath(), $"ebb-watch-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(root, "4242"));
        File.Copy(BasicStatus(), Path.Combine(root, "4242", "status"));
        return root;
    }

    [Fact]
    public void SavedTree_GivesExactlyCountSamples_OfTheStatusFigures()
    {
        var sampler = new RssSampler("4242", _root);
        var samples = sampler.Run(TimeSpan.FromMilliseconds(1), 4).ToList();
        Assert.Equal(4, samples.Count);
        Assert.Equal(WatchEnd.CountReached, sampler.End);
        Assert.Equal("my (odd) prog", sampler.ProcessName);
        Assert.All(samples, s => Assert.Equal((2260ul, 172ul, 2088ul, 0ul), (s.RssKb, s.AnonKb!.Value, s.FileKb!.Value, s.ShmemKb!.Value)));
        Assert.True(samples[0].Elapsed >= TimeSpan.Zero);
        for (int i = 1; i < samples.Count; i++) Assert.True(samples[i].Elapsed > samples[i - 1].Elapsed);
    }

    [Fact]
    public void ProcessGoingAway_EndsTheWatch()
    {
        var sampler = new RssSampler("4242", _root);
        var samples = new List<RssSample>();
        foreach (var s in sampler.Run(TimeSpan.FromMilliseconds(1), 100))
        {
            samples.Add(s);
            if (samples.Count == 3) Directory.Delete(Path.Combine(_root, "4242"), true);
        }
        Assert.Equal(3, samples.Count);
        Assert.Equal(WatchEnd.ProcessExited, sampler.End);
    }

    [Fact]
    public void MissingProcess_FailsOnTheFirstRead()
    {
        var e = Assert.Throws<ProcReadException>(() => new RssSampler("999", _root).Run(TimeSpan.FromSeconds(1), 1).ToList());
        Assert.Equal(ProcReadErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public void KernelThread_HasNoMemoryToWatch()
    {
        File.WriteAllText(Path.Combine(_root, "4242", "status"), "Name:\tkthreadd\nState:\tS (sleeping)\nPid:\t2\n");
        var e = Assert.Throws<InvalidOperationException>(() => new RssSampler("4242", _root).Run(TimeSpan.FromSeconds(1), 1).ToList());
        Assert.Contains("kernel thread", e.Message);
    }

    [Fact]
    public void Zombie_EndsTheWatchAsExited()
    {
        var sampler = new RssSampler("4242", _root);
        var samples = new List<RssSample>();
        foreach (var s in sampler.Run(TimeSpan.FromMilliseconds(1), 100))
        {
            samples.Add(s);
            File.WriteAllText(Path.Combine(_root, "4242", "status"), "Name:\tgone\nState:\tZ (zombie)\nPid:\t4242\n");
        }
        Assert.Single(samples);
        Assert.Equal(WatchEnd.ProcessExited, sampler.End);
    }

    [Fact]
    public void Cancelling_StopsBetweenSamples()
    {
        using var cancel = new CancellationTokenSource();
        var sampler = new RssSampler("4242", _root);
        var samples = new List<RssSample>();
        foreach (var s in sampler.Run(TimeSpan.FromMilliseconds(1), null, cancel.Token))
        {
            samples.Add(s);
            if (samples.Count == 2) cancel.Cancel();
        }
        Assert.Equal(2, samples.Count);
        Assert.Equal(WatchEnd.Cancelled, sampler.End);
    }

    [Fact]
    public void Self_HasResidentMemory()
    {
        var sampler = new RssSampler("self");
        var s = Assert.Single(sampler.Run(TimeSpan.FromSeconds(1), 1));
        Assert.True(s.RssKb > 0);
        Assert.Equal(s.RssKb, s.AnonKb + s.FileKb + s.ShmemKb);
    }
}
