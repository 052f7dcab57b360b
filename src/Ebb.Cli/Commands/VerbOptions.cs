using Ebb.Cli.Terminal;
namespace Ebb.Cli.Commands;

/// <summary>
/// The one argument parser of the verbs that are not procps clones (map, vdso, watch, stats,
/// lab, tour; free and pmap keep <see cref="GetoptLong"/>, which copies glibc's quirks). Each
/// verb declares its options and what each does; the parser walks the arguments in order.
/// <list type="bullet">
/// <item>A flag is a bare name; a value option takes the next argument whatever it is
/// (<c>-n -5</c> hands "-5" to the option, which refuses it), or, for a long name, the part after
/// <c>=</c> (<c>--output=m.svg</c>).</item>
/// <item><c>-h</c>/<c>--help</c>, where declared, stops the walk: the verb prints its help and exits 0.</item>
/// <item>Any other argument that starts with <c>-</c> (and is not <c>-</c> alone) is
/// "unknown option '…'", word for word as typed; the rest go to the positional handler, which
/// says what a stray word means for its verb.</item>
/// </list>
/// Every error is a <see cref="CliException"/> whose message starts <c>ebb VERB: </c>.
/// </summary>
internal sealed class VerbOptions
{
    private readonly string _verb;
    private readonly Dictionary<string, Option> _options = new(StringComparer.Ordinal);
    private Action<string>? _positional;
    private Func<string, string> _missingValue = name => $"option '{name}' needs a value";

    private sealed record Option(Action<string?> Take, bool TakesValue, string? Missing);

    /// <summary>A parser for <c>ebb VERB</c>; <paramref name="verb"/> is what errors name, e.g. <c>map</c> or <c>lab brk</c>.</summary>
    public VerbOptions(string verb) => this._verb = verb;

    /// <summary>Declares <c>-h</c> and <c>--help</c>: when met, <see cref="Parse"/> returns false at once.</summary>
    public VerbOptions Help() => Add("-h|--help", new Option(_ => { }, false, null));

    /// <summary>Declares a flag under its names (<c>"--color|--colour"</c>).</summary>
    public VerbOptions Flag(string names, Action set) => Add(names, new Option(_ => set(), false, null));

    /// <summary>
    /// Declares an option that takes a value. <paramref name="missing"/> is the error (after
    /// <c>ebb VERB: </c>) when the value is missing; by default the verb's (see <see cref="MissingValue"/>).
    /// </summary>
    public VerbOptions Value(string names, Action<string> set, string? missing = null) =>
        Add(names, new Option(v => set(v!), true, missing));

    /// <summary>What to say, for every value option without its own message, when a value is missing (given the name typed).</summary>
    public VerbOptions MissingValue(Func<string, string> message)
    {
        _missingValue = message;
        return this;
    }

    /// <summary>Declares what a word that is not an option means; without it, any such word is an unknown option.</summary>
    public VerbOptions Positional(Action<string> take)
    {
        _positional = take;
        return this;
    }

    /// <summary>Walks <paramref name="args"/>; false when help was asked for (the rest is not read).</summary>
    /// <exception cref="CliException">An unknown option, a missing value, or whatever a handler refuses.</exception>
    public bool Parse(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (_options.TryGetValue(a, out var option))
            {
                if (a is "-h" or "--help" && !option.TakesValue) return false;
                if (!option.TakesValue) option.Take(null);
                else if (i + 1 < args.Count) option.Take(args[++i]);
                else throw Error(option.Missing ?? _missingValue(a));
                continue;
            }
            int eq = a.IndexOf('=');
            if (a.StartsWith("--", StringComparison.Ordinal) && eq > 2 && _options.TryGetValue(a[..eq], out option) && option.TakesValue)
            {
                option.Take(a[(eq + 1)..]);
                continue;
            }
            if ((a.StartsWith('-') && a.Length > 1) || _positional is null) throw Unknown(a);
            _positional(a);
        }
        return true;
    }

    /// <summary>The verb's "unknown option" error for <paramref name="arg"/>.</summary>
    public CliException Unknown(string arg) => Error($"unknown option '{arg}' (try 'ebb {_verb} --help')");

    /// <summary>A one-line error of this verb: <c>ebb VERB: MESSAGE</c>.</summary>
    public CliException Error(string message) => new($"ebb {_verb}: {message}");

    private VerbOptions Add(string names, Option option)
    {
        foreach (var name in names.Split('|')) _options.Add(name, option);
        return this;
    }
}
