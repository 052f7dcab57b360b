namespace Ebb.Cli;

/// <summary>
/// pmap's command line as glibc's getopt_long reads it for procps-ng 4.0.2's option table
/// (<c>xXrdqA:hVcC:nN:p</c> and the long names), plus Ebb's <c>--proc-root DIR</c> (never
/// abbreviated, so procps's own abbreviations keep their meaning). Options are taken in
/// order, operands may come before options (GNU permutation), <c>--</c> ends options.
/// </summary>
internal static class PmapArguments
{
    private const string ShortSpec = "xXrdqA:hVcC:nN:p";

    private static readonly (string Name, bool HasArg, char Id, bool Abbreviable)[] Longs =
    [
        ("extended", false, 'x', true), ("device", false, 'd', true), ("quiet", false, 'q', true),
        ("range", true, 'A', true), ("help", false, 'h', true), ("version", false, 'V', true),
        ("read-rc", false, 'c', true), ("read-rc-from", true, 'C', true), ("create-rc", false, 'n', true),
        ("create-rc-to", true, 'N', true), ("show-path", false, 'p', true), ("proc-root", true, 'R', false),
    ];

    /// <summary>One option: its letter (R for --proc-root) and argument; or an error message (then Id is '?').</summary>
    internal readonly record struct Option(char Id, string? Argument, string? Error);

    /// <summary>Yields the options in order, collecting operands into <paramref name="operands"/>.</summary>
    public static IEnumerable<Option> Parse(string[] args, List<string> operands)
    {
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "--")
            {
                operands.AddRange(args[(i + 1)..]);
                yield break;
            }
            if (a.Length < 2 || a[0] != '-')
            {
                operands.Add(a);
                continue;
            }
            if (a[1] == '-')
            {
                yield return Long(args, ref i);
                continue;
            }
            for (int k = 1; k < a.Length; k++)
            {
                char c = a[k];
                int at = c == ':' ? -1 : ShortSpec.IndexOf(c);
                if (at < 0)
                {
                    yield return new Option('?', null, $"pmap: invalid option -- '{c}'");
                    yield break;
                }
                if (at + 1 >= ShortSpec.Length || ShortSpec[at + 1] != ':')
                {
                    yield return new Option(c, null, null);
                    continue;
                }
                if (k + 1 < a.Length) yield return new Option(c, a[(k + 1)..], null);
                else if (i + 1 < args.Length) yield return new Option(c, args[++i], null);
                else yield return new Option('?', null, $"pmap: option requires an argument -- '{c}'");
                break;
            }
        }
    }

    private static Option Long(string[] args, ref int i)
    {
        string body = args[i][2..];
        int eq = body.IndexOf('=');
        string name = eq < 0 ? body : body[..eq];
        string? value = eq < 0 ? null : body[(eq + 1)..];
        var exact = Longs.Where(l => l.Name == name).ToList();
        var matches = exact.Count > 0 ? exact : Longs.Where(l => l.Abbreviable && l.Name.StartsWith(name, StringComparison.Ordinal)).ToList();
        if (matches.Count == 0)
            return new Option('?', null, $"pmap: unrecognized option '--{body}'");
        // glibc reports ambiguity only when the candidates differ in what they do.
        if (matches.Count > 1 && matches.Any(m => m.Id != matches[0].Id || m.HasArg != matches[0].HasArg))
            return new Option('?', null, $"pmap: option '--{body}' is ambiguous; possibilities:" + string.Concat(matches.Select(m => $" '--{m.Name}'")));
        var o = matches[0];
        if (!o.HasArg)
            return value is null ? new Option(o.Id, null, null) : new Option('?', null, $"pmap: option '--{o.Name}' doesn't allow an argument");
        if (value is not null) return new Option(o.Id, value, null);
        if (i + 1 < args.Length) return new Option(o.Id, args[++i], null);
        return new Option('?', null, $"pmap: option '--{o.Name}' requires an argument");
    }
}
