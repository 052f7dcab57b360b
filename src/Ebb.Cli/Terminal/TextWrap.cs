namespace Ebb.Cli.Terminal;

/// <summary>Greedy word wrapping for the tour's explanations.</summary>
internal static class TextWrap
{
    /// <summary>Splits <paramref name="text"/> into lines of at most <paramref name="width"/> characters (longer words stand alone); blank lines in the text are kept.</summary>
    public static IEnumerable<string> Wrap(string text, int width)
    {
        foreach (var paragraph in text.Replace("\r\n", "\n").Split('\n'))
        {
            var line = new System.Text.StringBuilder();
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.Length > 0 && line.Length + 1 + word.Length > width)
                {
                    yield return line.ToString();
                    line.Clear();
                }
                if (line.Length > 0) line.Append(' ');
                line.Append(word);
            }
            yield return line.ToString();
        }
    }
}
