using Ebb.Cli.Terminal;
using Ebb.Cli.Commands;
namespace Ebb.Cli.Tour;

/// <summary>The options of <c>ebb tour</c>, parsed.</summary>
internal sealed record TourOptions(bool Help, bool List, bool? Color, IReadOnlyList<string> Only, string[] Rest, bool FullPmap = false)
{
    /// <summary>Parses the tour's arguments; an unknown option is a one-line error.</summary>
    public static TourOptions Parse(string[] args)
    {
        bool list = false, fullPmap = false;
        bool? color = null;
        var only = new List<string>();
        var rest = new List<string>();
        var parser = new VerbOptions("tour").Help()
            .Flag("--list", () => list = true)
            .Flag("--full-pmap", () => fullPmap = true)
            .Flag("--no-color|--no-colour", () => color = false)
            .Flag("--color|--colour", () => color = true)
            .Value("--chapter", v => only.AddRange(Names(v)), missing: NoChapter);
        // No chapter takes arguments: a stray word is a mistake, not a reason to run the whole tour.
        parser.Positional(a => throw parser.Error($"unexpected argument '{a}' (try 'ebb tour --help')"));
        bool help = !parser.Parse(args);
        return new TourOptions(help, list, color, only, [.. rest], fullPmap);
    }

    // "--chapter ," names nothing; without this it would mean every chapter.
    private static string[] Names(string list)
    {
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return names.Length > 0 ? names : throw NoChapterName();
    }

    private const string NoChapter = "--chapter needs a name (try 'ebb tour --list')";

    private static CliException NoChapterName() => new("ebb tour: " + NoChapter);
}
