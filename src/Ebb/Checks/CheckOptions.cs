namespace Ebb.Checks;

/// <summary>Which checking mode the process runs in.</summary>
internal enum CheckMode
{
    /// <summary>Release: only the allocator's own invalid-free and double-free checks.</summary>
    Off,
    /// <summary><c>EBB_CHECK=1</c>: redzones, block states, quarantine, junk fill, live table.</summary>
    Checked,
    /// <summary><c>EBB_GUARD=all</c>: every block on its own pages against a guard page.</summary>
    GuardAll,
    /// <summary><c>EBB_GUARD=sample:N</c>: one small allocation in N goes to a pool of guarded slots.</summary>
    GuardSample,
}

/// <summary>
/// The checking settings, read once from the environment. Parsing is a pure function of
/// the variables (passed in), so it is tested without touching the process environment.
/// A bad value gives one warning line and the default, never a crash.
/// </summary>
internal sealed record CheckOptions
{
    /// <summary>The mode selected.</summary>
    public CheckMode Mode { get; init; }

    /// <summary>Checked mode: bytes of freed blocks held back before reuse (<c>EBB_QUARANTINE_MB</c>, default 16).</summary>
    public long QuarantineBytes { get; init; } = 16L << 20;

    /// <summary>Checked mode: report live blocks at exit (<c>EBB_LEAKS=1</c>).</summary>
    public bool Leaks { get; init; }

    /// <summary>Capture allocation and free stacks (<c>EBB_STACKS=0</c> turns them off, for speed).</summary>
    public bool Stacks { get; init; } = true;

    /// <summary>The sampling rate of <c>EBB_GUARD=sample</c> without a number.</summary>
    public const int DefaultSampleRate = 5000;

    /// <summary>Sampled mode: one allocation in this many is guarded (N of <c>sample:N</c>; <see cref="DefaultSampleRate"/> for plain <c>sample</c>).</summary>
    public int SampleRate { get; init; } = DefaultSampleRate;

    /// <summary>Print each error a check throws to stderr as it is thrown, so a caught one is seen too (<c>EBB_PRINT_ERRORS</c>, default 1).</summary>
    public bool PrintErrors { get; init; } = true;

    /// <summary>Checked mode with leaks: the exit code when the exit-time leak report found any (<c>EBB_LEAK_EXITCODE</c>, default 23 as LeakSanitizer's; 0 leaves it alone).</summary>
    public int LeakExitCode { get; init; } = 23;

    /// <summary>Sampled mode: guarded slots in the pool (<c>EBB_GUARD_SLOTS</c>, default 64).</summary>
    public int GuardSlots { get; init; } = 64;

    /// <summary>Guarded all: bytes of freed, inaccessible pages kept before they are unmapped (<c>EBB_GUARD_BUDGET_MB</c>, default 64).</summary>
    public long GuardFreedBudgetBytes { get; init; } = 64L << 20;

    /// <summary>The options of this process, from its environment; warnings go to stderr.</summary>
    public static CheckOptions FromEnvironment() =>
        Parse(Environment.GetEnvironmentVariable, Console.Error);

    /// <summary>Parses the settings from <paramref name="get"/> (a variable name to its value or null).</summary>
    public static CheckOptions Parse(Func<string, string?> get, TextWriter warnings)
    {
        var o = new CheckOptions();
        string? check = get("EBB_CHECK");
        string? guard = get("EBB_GUARD");
        if (!string.IsNullOrEmpty(guard))
        {
            if (guard == "all") o = o with { Mode = CheckMode.GuardAll };
            else if (guard == "sample") o = o with { Mode = CheckMode.GuardSample, SampleRate = DefaultSampleRate };
            else if (guard.StartsWith("sample:", StringComparison.Ordinal)
                     && int.TryParse(guard.AsSpan(7), out int n) && n >= 1)
                o = o with { Mode = CheckMode.GuardSample, SampleRate = n };
            else
                warnings.WriteLine($"ebb: warning: EBB_GUARD='{guard}' is not 'all', 'sample' or 'sample:N' (N >= 1); guarded mode off");
        }
        if (!string.IsNullOrEmpty(check) && check != "0")
        {
            if (check != "1")
                warnings.WriteLine($"ebb: warning: EBB_CHECK='{check}' is not 0 or 1; checked mode off");
            else if (o.Mode != CheckMode.Off)
                warnings.WriteLine("ebb: warning: EBB_CHECK=1 and EBB_GUARD both set; guarded mode wins");
            else
                o = o with { Mode = CheckMode.Checked };
        }
        o = o with
        {
            QuarantineBytes = Number(get, "EBB_QUARANTINE_MB", 16, 0, 1 << 20, warnings) << 20,
            GuardSlots = (int)Number(get, "EBB_GUARD_SLOTS", 64, 1, 1 << 16, warnings),
            GuardFreedBudgetBytes = Number(get, "EBB_GUARD_BUDGET_MB", 64, 0, 1 << 20, warnings) << 20,
            Leaks = Flag(get, "EBB_LEAKS", false, warnings),
            Stacks = Flag(get, "EBB_STACKS", true, warnings),
            PrintErrors = Flag(get, "EBB_PRINT_ERRORS", true, warnings),
            LeakExitCode = (int)Number(get, "EBB_LEAK_EXITCODE", 23, 0, 255, warnings),
        };
        if (o.Leaks && o.Mode != CheckMode.Checked)
            warnings.WriteLine("ebb: warning: EBB_LEAKS=1 needs EBB_CHECK=1; no leak report");
        return o;
    }

    private static long Number(Func<string, string?> get, string name, long def, long min, long max, TextWriter warnings)
    {
        string? s = get(name);
        if (string.IsNullOrEmpty(s)) return def;
        if (long.TryParse(s, out long v) && v >= min && v <= max) return v;
        warnings.WriteLine($"ebb: warning: {name}='{s}' is not a whole number from {min} to {max}; using {def}");
        return def;
    }

    private static bool Flag(Func<string, string?> get, string name, bool def, TextWriter warnings)
    {
        string? s = get(name);
        if (string.IsNullOrEmpty(s)) return def;
        if (s is "0" or "1") return s == "1";
        warnings.WriteLine($"ebb: warning: {name}='{s}' is not 0 or 1; using {(def ? 1 : 0)}");
        return def;
    }
}
