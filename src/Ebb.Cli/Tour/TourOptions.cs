namespace Ebb.Cli;

/// <summary>The options of <c>ebb tour</c>, parsed.</summary>
internal sealed record TourOptions(bool Help, bool List, bool? Color, IReadOnlyList<string> Only, string[] Rest)
{
    /// <summary>Parses the tour's arguments; an unknown option is a one-line error.</summary>
    public static TourOptions Parse(string[] args)
    {
        bool help = false, list = false;
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
                case "--no-color" or "--no-colour": color = false; break;
                case "--color" or "--colour": color = true; break;
                case "--chapter":
                    if (i + 1 >= args.Length) throw new CliException("ebb tour: --chapter needs a name (try 'ebb tour --list')");
                    only.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                default:
                    if (a.StartsWith("--chapter=", StringComparison.Ordinal))
                        only.AddRange(a["--chapter=".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    else if (a.StartsWith('-'))
                        throw new CliException($"ebb tour: unknown option '{a}' (try 'ebb tour --help')");
                    else rest.Add(a);
                    break;
            }
        }
        return new TourOptions(help, list, color, only, [.. rest]);
    }
}
