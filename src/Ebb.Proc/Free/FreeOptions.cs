namespace Ebb.Proc.Free;

/// <summary>
/// What <c>free</c> was asked to show: the unit, and which optional lines and columns.
/// Mirrors the flags of procps-ng 4.0.2's <c>free.c</c>.
/// </summary>
public sealed record FreeOptions
{
    /// <summary>
    /// The unit as a power of the base plus one, as procps's <c>args.exponent</c>: 0 = the
    /// default (kibibytes, or kilobytes with <see cref="SI"/>), 1 = bytes, 2 = kilo/kibi,
    /// 3 = mega/mebi, 4 = giga/gibi, 5 = tera/tebi, 6 = peta/pebi.
    /// </summary>
    public int Exponent { get; init; }

    /// <summary>Powers of 1000 instead of 1024 (<c>--si</c>, or set by <c>--kilo</c> ... <c>--peta</c>).</summary>
    public bool SI { get; init; }

    /// <summary>Human-readable sizes with a unit suffix (<c>-h</c>); overrides <see cref="Exponent"/>.</summary>
    public bool Human { get; init; }

    /// <summary>The Low: and High: lines (<c>-l</c>).</summary>
    public bool LowHigh { get; init; }

    /// <summary>The Total: line, RAM plus swap (<c>-t</c>).</summary>
    public bool Total { get; init; }

    /// <summary>The Comm: line, commit limit and committed memory (<c>-v</c>).</summary>
    public bool Committed { get; init; }

    /// <summary>Separate buffers and cache columns (<c>-w</c>).</summary>
    public bool Wide { get; init; }
}
