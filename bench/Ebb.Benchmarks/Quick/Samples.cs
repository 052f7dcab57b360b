namespace Ebb.Benchmarks.Quick;

/// <summary>
/// Figures collected by the quick runner: per row (contender label) and workload key, one value per
/// round. Ratios are taken round by round and then the median, so two contenders are compared on
/// figures measured minutes apart at most, never across a quiet and a busy stretch of the machine.
/// </summary>
public sealed class Samples
{
    private readonly Dictionary<(string Row, string Key), SortedDictionary<int, double>> _values = new();
    private readonly List<string> _rows = new();

    /// <summary>Rows in the order they were first added.</summary>
    public IReadOnlyList<string> Rows => _rows;

    /// <summary>Adds the figure of <paramref name="row"/> for <paramref name="key"/> in round <paramref name="round"/>.</summary>
    public void Add(string row, string key, int round, double value)
    {
        if (!_rows.Contains(row)) _rows.Add(row);
        if (!_values.TryGetValue((row, key), out var byRound)) _values[(row, key)] = byRound = new();
        byRound[round] = value;
    }

    /// <summary>True when <paramref name="row"/> has any figure.</summary>
    public bool Has(string row) => _rows.Contains(row);

    /// <summary>The median over rounds, or null when there is none.</summary>
    public double? Median(string row, string key) =>
        _values.TryGetValue((row, key), out var byRound) && byRound.Count > 0 ? Stats.Median(byRound.Values) : null;

    /// <summary>The spread over rounds as (min, max), or null.</summary>
    public (double Min, double Max)? Range(string row, string key) =>
        _values.TryGetValue((row, key), out var byRound) && byRound.Count > 0 ? (byRound.Values.Min(), byRound.Values.Max()) : null;

    /// <summary>
    /// How many times faster <paramref name="fast"/> is than <paramref name="slow"/> on
    /// <paramref name="key"/>: the median over rounds of slow/fast (figures are times), or null.
    /// </summary>
    public double? Speedup(string slow, string fast, string key)
    {
        if (!_values.TryGetValue((slow, key), out var s) || !_values.TryGetValue((fast, key), out var f)) return null;
        var ratios = s.Keys.Where(f.ContainsKey).Select(r => s[r] / f[r]).ToList();
        return ratios.Count > 0 ? Stats.Median(ratios) : null;
    }
}

/// <summary>Small statistics helpers.</summary>
public static class Stats
{
    /// <summary>The median of <paramref name="values"/> (mean of the middle two for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var v = values.OrderBy(x => x).ToArray();
        if (v.Length == 0) throw new ArgumentException("no values", nameof(values));
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}
