namespace Ebb.Cli;

/// <summary>The options of <c>ebb tour</c>, parsed.</summary>
internal sealed record TourOptions(bool Help, bool List, bool? Color, IReadOnlyList<string> Only, string[] Rest, bool FullPmap = false)
{
    /// <summary>Parses the tour's arguments; an unknown option is a one-line error.</summary>
    public static TourOptions Parse(string[] args)
    {
        bool help = false, list = false, fullPmap = false;
        bool? color = null;
        var only = new List<string>();
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            switch (a)
            {
                case "-h" or "--help": help = true; break;
                case "--list": list = true; break;
                case "--full-pmap": fullPmap = true; break;
                case "--no-color" or "--no-colour": color = false; break;
                case "--color" or "--colour": color = true; break;
                case "--chapter":
                    if (i + 1 >= args.Length) throw NoChapterName();
                    only.AddRange(Names(args[++i]));
                    break;
                default:
                    if (a.StartsWith("--chapter=", StringComparison.Ordinal))
                        only.AddRange(Names(a["--chapter=".Length..]));
                    else if (a.StartsWith('-'))
                        throw new CliException($"ebb tour: unknown option '{a}' (try 'ebb tour --help')");
                    else // no chapter takes arguments: a stray word is a mistake, not a reason to run the whole tour
                        throw new CliException($"ebb tour: unexpected argument '{a}' (try 'ebb tour --help')");
                    break;
            }
        }
        return new TourOptions(help, list, color, only, [.. rest], fullPmap);
    }

    // "--chapter ," names nothing; without this it would mean every chapter.
    private static string[] Names(string list)
    {
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return names.Length > 0 ? names : throw NoChapterName();
    }

    private static CliException NoChapterName() => new("ebb tour: --chapter needs a name (try 'ebb tour --list')");
}
