namespace Ebb.Cli.Commands;

/// <summary>
/// glibc's <c>getopt_long</c>, reproduced so that procps-compatible verbs accept the same
/// command lines and print the same complaints: clustered short options (<c>-tw</c>),
/// attached or separate arguments (<c>-c2</c>, <c>-c 2</c>, <c>--count=2</c>), unique
/// abbreviations of long options, <c>--</c>, and GNU argument permutation (options after
/// operands still count). Messages are glibc's, in the C locale.
/// </summary>
public sealed class GetoptLong
{
    private readonly string _program;
    private readonly string _shortSpec;
    private readonly IReadOnlyList<LongOption> _longs;

    /// <summary>Creates a parser.</summary>
    /// <param name="program">The name messages start with, e.g. <c>free</c>.</param>
    /// <param name="shortSpec">getopt's option string, e.g. <c>bkmghltvc:ws:V</c> (a colon marks a required argument).</param>
    /// <param name="longOptions">The long options, in the order glibc lists them in an ambiguity message.</param>
    public GetoptLong(string program, string shortSpec, IReadOnlyList<LongOption> longOptions)
    {
        _program = program;
        _shortSpec = shortSpec;
        _longs = longOptions;
    }

    /// <summary>
    /// Walks <paramref name="args"/> lazily, one option at a time, so a caller can act on each
    /// (and stop at <c>--help</c> or at an error) as a C <c>while (getopt_long(...))</c> loop does.
    /// Operands (non-options) are collected into <paramref name="operands"/> as they are passed.
    /// </summary>
    /// <param name="args">The command line after the program name.</param>
    /// <param name="operands">Receives the operands, in order.</param>
    public IEnumerable<ParsedOption> Parse(string[] args, List<string> operands)
    {
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "--")
            {
                for (int j = i + 1; j < args.Length; j++) operands.Add(args[j]);
                yield break;
            }
            if (a.Length < 2 || a[0] != '-')
            {
                operands.Add(a);
                continue;
            }
            if (a[1] == '-')
            {
                yield return ParseLong(args, ref i);
                continue;
            }
            // A cluster of short options: -tw, -c2, -ts 1.
            for (int k = 1; k < a.Length; k++)
            {
                char c = a[k];
                int at = c == ':' ? -1 : _shortSpec.IndexOf(c);
                if (at < 0)
                {
                    yield return ParsedOption.Fail($"{_program}: invalid option -- '{c}'");
                    break;
                }
                bool needsArg = at + 1 < _shortSpec.Length && _shortSpec[at + 1] == ':';
                if (!needsArg)
                {
                    yield return new ParsedOption(c.ToString(), null, null);
                    continue;
                }
                if (k + 1 < a.Length)
                {
                    yield return new ParsedOption(c.ToString(), a[(k + 1)..], null);
                }
                else if (i + 1 < args.Length)
                {
                    yield return new ParsedOption(c.ToString(), args[++i], null);
                }
                else
                {
                    yield return ParsedOption.Fail($"{_program}: option requires an argument -- '{c}'");
                }
                break;
            }
        }
    }

    private ParsedOption ParseLong(string[] args, ref int i)
    {
        string body = args[i][2..];
        int eq = body.IndexOf('=');
        string name = eq < 0 ? body : body[..eq];

        LongOption? found = null;
        foreach (var o in _longs)
        {
            if (o.Name == name) { found = o; break; }
        }
        if (found is null)
        {
            var matches = _longs.Where(o => o.Abbreviable && o.Name.StartsWith(name, StringComparison.Ordinal)).ToList();
            if (matches.Count > 1 && matches.Any(m => m.Id != matches[0].Id || m.HasArgument != matches[0].HasArgument))
            {
                string list = string.Concat(matches.Select(m => $" '--{m.Name}'"));
                return ParsedOption.Fail($"{_program}: option '--{body}' is ambiguous; possibilities:{list}");
            }
            found = matches.Count > 0 ? matches[0] : null;
        }
        if (found is null) return ParsedOption.Fail($"{_program}: unrecognized option '--{body}'");

        if (!found.HasArgument)
        {
            return eq >= 0
                ? ParsedOption.Fail($"{_program}: option '--{found.Name}' doesn't allow an argument")
                : new ParsedOption(found.Id, null, null);
        }
        if (eq >= 0) return new ParsedOption(found.Id, body[(eq + 1)..], null);
        if (i + 1 < args.Length) return new ParsedOption(found.Id, args[++i], null);
        return ParsedOption.Fail($"{_program}: option '--{found.Name}' requires an argument");
    }
}

/// <summary>A long option for <see cref="GetoptLong"/>.</summary>
/// <param name="Name">The name without the dashes, e.g. <c>seconds</c>.</param>
/// <param name="HasArgument">Whether it takes a required argument.</param>
/// <param name="Id">What <see cref="ParsedOption.Id"/> reports for it: the equivalent short option (e.g. <c>s</c>) or a name of its own.</param>
/// <param name="Abbreviable">Whether a unique prefix selects it (glibc's rule); false for options procps does not have, so that adding them changes no procps behaviour.</param>
public sealed record LongOption(string Name, bool HasArgument, string Id, bool Abbreviable = true);

/// <summary>One step of <see cref="GetoptLong.Parse"/>: an option with its argument, or an error.</summary>
/// <param name="Id">The option's id (its short letter, or the long option's id); null for an error.</param>
/// <param name="Argument">The option's argument, if it takes one.</param>
/// <param name="Error">glibc's complaint, one line without its newline; null when the option parsed.</param>
public sealed record ParsedOption(string? Id, string? Argument, string? Error)
{
    /// <summary>An error result.</summary>
    /// <param name="message">The complaint.</param>
    public static ParsedOption Fail(string message) => new(null, null, message);
}
