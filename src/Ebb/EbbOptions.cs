using System.Globalization;

namespace Ebb;

/// <summary>
/// Ebb's settings. Read once, at first use, from (lowest to highest precedence) the
/// defaults, runtimeconfig.json properties read through <see cref="AppContext"/>
/// (<c>Ebb.PurgeDelayMs</c>, <c>Ebb.Purge</c>, <c>Ebb.PageSource</c>, <c>Ebb.ShowStats</c>,
/// <c>Ebb.Verbose</c>) and the environment (<c>EBB_PURGE_DELAY_MS</c>, <c>EBB_PURGE</c>,
/// <c>EBB_PAGE_SOURCE</c>, <c>EBB_SHOW_STATS</c>, <c>EBB_VERBOSE</c>). An object passed to
/// <see cref="EbbMemory.Configure"/> before first use replaces them all. A bad value gives
/// one warning line on stderr and the default.
/// </summary>
public sealed class EbbOptions
{
    /// <summary>The default purge delay in milliseconds.</summary>
    public const int DefaultPurgeDelayMs = 100;

    /// <summary>Milliseconds a free slice stays resident before it is purged: 0 = at once, -1 = never (only <see cref="EbbMemory.Trim"/>).</summary>
    public int PurgeDelayMs { get; set; } = DefaultPurgeDelayMs;

    /// <summary>How free slices are purged.</summary>
    public EbbPurgeMode Purge { get; set; } = EbbPurgeMode.DontNeed;

    /// <summary>Where chunks come from.</summary>
    public EbbPageSource PageSource { get; set; } = EbbPageSource.Mmap;

    /// <summary>Print the statistics to stderr when the process exits.</summary>
    public bool ShowStats { get; set; }

    /// <summary>Print a line to stderr for every chunk reserved, region released and huge mapping.</summary>
    public bool Verbose { get; set; }

    /// <summary>
    /// The settings this process would use: defaults, then runtimeconfig properties, then
    /// environment variables. Bad values are reported to <paramref name="warnings"/>
    /// (stderr when null), one line each, and replaced by the default.
    /// </summary>
    public static EbbOptions FromEnvironment(TextWriter? warnings = null) =>
        Read(name => Environment.GetEnvironmentVariable(name), name => AppContext.GetData(name)?.ToString(), warnings ?? Console.Error);

    /// <summary>Reads the settings through the two lookups given (testable without touching the real environment).</summary>
    internal static EbbOptions Read(Func<string, string?> env, Func<string, string?> config, TextWriter warnings)
    {
        var o = new EbbOptions();
        string? Pick(string envName, string configName, out string source)
        {
            string? v = env(envName);
            if (!string.IsNullOrEmpty(v)) { source = envName; return v; }
            source = configName;
            v = config(configName);
            return string.IsNullOrEmpty(v) ? null : v;
        }

        if (Pick("EBB_PURGE_DELAY_MS", "Ebb.PurgeDelayMs", out var src) is { } delay)
        {
            if (int.TryParse(delay, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int ms) && ms >= -1)
                o.PurgeDelayMs = ms;
            else
                Warn(warnings, src, delay, "a number of milliseconds (0 = at once, -1 = never)", DefaultPurgeDelayMs.ToString(CultureInfo.InvariantCulture));
        }
        if (Pick("EBB_PURGE", "Ebb.Purge", out src) is { } purge)
        {
            switch (purge.Trim().ToLowerInvariant())
            {
                case "dontneed": o.Purge = EbbPurgeMode.DontNeed; break;
                case "free": o.Purge = EbbPurgeMode.Free; break;
                default: Warn(warnings, src, purge, "dontneed or free", "dontneed"); break;
            }
        }
        if (Pick("EBB_PAGE_SOURCE", "Ebb.PageSource", out src) is { } source)
        {
            switch (source.Trim().ToLowerInvariant())
            {
                case "mmap": o.PageSource = EbbPageSource.Mmap; break;
                case "brk": o.PageSource = EbbPageSource.Brk; break;
                default: Warn(warnings, src, source, "mmap or brk", "mmap"); break;
            }
        }
        if (Pick("EBB_SHOW_STATS", "Ebb.ShowStats", out src) is { } show)
            o.ShowStats = ParseBool(show, src, warnings);
        if (Pick("EBB_VERBOSE", "Ebb.Verbose", out src) is { } verbose)
            o.Verbose = ParseBool(verbose, src, warnings);
        return o;
    }

    private static bool ParseBool(string value, string source, TextWriter warnings)
    {
        switch (value.Trim().ToLowerInvariant())
        {
            case "1": case "true": case "yes": case "on": return true;
            case "0": case "false": case "no": case "off": return false;
            default: Warn(warnings, source, value, "1 or 0", "0"); return false;
        }
    }

    private static void Warn(TextWriter warnings, string source, string value, string expected, string fallback) =>
        warnings.WriteLine($"ebb: warning: {source}='{value}' is not {expected}; using {fallback}");

    /// <summary>A copy, so a caller cannot change the settings in force after passing them.</summary>
    internal EbbOptions Clone() => (EbbOptions)MemberwiseClone();
}
