using System.Globalization;

namespace Ebb.Benchmarks;

/// <summary>
/// Walks a benchmark command's arguments, option by option, for the runners' own parsers (quick,
/// suite): the value checks they share, each failing with a one-line <see cref="ArgumentException"/>.
/// </summary>
public sealed class OptionReader(string[] args)
{
    private int _next;
    private string _option = "";

    /// <summary>Moves to the next option; false when there is none.</summary>
    public bool MoveNext(out string option)
    {
        if (_next >= args.Length)
        {
            option = "";
            return false;
        }
        option = _option = args[_next++];
        return true;
    }

    /// <summary>The current option's value (the next argument).</summary>
    public string Value() => _next < args.Length ? args[_next++] : throw new ArgumentException($"option {_option} needs a value");

    /// <summary>The current option's value as a positive integer.</summary>
    public int PositiveInt() =>
        int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 1 ? n : throw new ArgumentException($"{_option} wants a positive integer");

    /// <summary>The current option's value as a positive, finite number.</summary>
    public double PositiveNumber() =>
        double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && x > 0 && !double.IsInfinity(x) ? x : throw new ArgumentException($"{_option} wants a positive number");

    /// <summary>The current option's value as a comma-separated list (empty items dropped).</summary>
    public string[] List() => Value().Split(',', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The error for an option the command does not know.</summary>
    public ArgumentException Unknown() => new($"unknown option '{_option}'");
}
