namespace Ebb.Tests.Allocator;

public unsafe class OptionsTests
{
    private static EbbOptions Read(Dictionary<string, string> env, Dictionary<string, string>? config, out string warnings)
    {
        var w = new StringWriter();
        var o = EbbOptions.Read(k => env.GetValueOrDefault(k), k => config?.GetValueOrDefault(k), w);
        warnings = w.ToString();
        return o;
    }

    [Fact]
    public void DefaultsWhenNothingIsSet()
    {
        var o = Read(new(), null, out var warnings);
        Assert.Equal(EbbOptions.DefaultPurgeDelayMs, o.PurgeDelayMs);
        Assert.Equal(EbbPurgeMode.DontNeed, o.Purge);
        Assert.Equal(EbbPageSource.Mmap, o.PageSource);
        Assert.False(o.ShowStats);
        Assert.False(o.Verbose);
        Assert.Equal("", warnings);
    }

    [Fact]
    public void EnvironmentIsReadAndWinsOverRuntimeConfig()
    {
        var o = Read(new() { ["EBB_PURGE_DELAY_MS"] = "-1", ["EBB_PURGE"] = "free", ["EBB_PAGE_SOURCE"] = "brk", ["EBB_SHOW_STATS"] = "1" },
            new() { ["Ebb.PurgeDelayMs"] = "5", ["Ebb.Verbose"] = "true" }, out var warnings);
        Assert.Equal(-1, o.PurgeDelayMs);
        Assert.Equal(EbbPurgeMode.Free, o.Purge);
        Assert.Equal(EbbPageSource.Brk, o.PageSource);
        Assert.True(o.ShowStats);
        Assert.True(o.Verbose);
        Assert.Equal("", warnings);
    }

    [Theory]
    [InlineData("EBB_PURGE_DELAY_MS", "soon")]
    [InlineData("EBB_PURGE_DELAY_MS", "-5")]
    [InlineData("EBB_PURGE", "always")]
    [InlineData("EBB_PAGE_SOURCE", "sbrk")]
    [InlineData("EBB_VERBOSE", "maybe")]
    public void ABadValueGivesOneWarningLineAndTheDefault(string name, string value)
    {
        var o = Read(new() { [name] = value }, null, out var warnings);
        Assert.Single(warnings.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"ebb: warning: {name}='{value}' is not ", warnings);
        var d = new EbbOptions();
        Assert.Equal(d.PurgeDelayMs, o.PurgeDelayMs);
        Assert.Equal(d.Purge, o.Purge);
        Assert.Equal(d.PageSource, o.PageSource);
        Assert.Equal(d.Verbose, o.Verbose);
    }

    [Fact]
    public void ConfigureAfterFirstUseIsRefused()
    {
        EbbMemory.Free(EbbMemory.Alloc(1));
        Assert.Throws<InvalidOperationException>(() => EbbMemory.Configure(new EbbOptions()));
    }
}
