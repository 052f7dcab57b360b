namespace Ebb.Cli.Terminal;

/// <summary>
/// Text styles for the tour and the labs: each wraps a string in an ANSI SGR sequence, or
/// returns it unchanged in the plain style, so a chapter or a lab writes the same code either way.
/// </summary>
public sealed class TextStyle
{
    private readonly bool _ansi;

    private TextStyle(bool ansi) => this._ansi = ansi;

    /// <summary>The style that adds no escape codes.</summary>
    public static TextStyle Plain { get; } = new(false);

    /// <summary>The style that colours with ANSI escape codes.</summary>
    public static TextStyle Ansi { get; } = new(true);

    /// <summary>A chapter heading: bold cyan.</summary>
    public string Heading(string text) => Wrap("1;36", text);

    /// <summary>Emphasis: bold.</summary>
    public string Bold(string text) => Wrap("1", text);

    /// <summary>Secondary text (explanations, timings): dim.</summary>
    public string Dim(string text) => Wrap("2", text);

    /// <summary>The figure or fact a step demonstrates: yellow.</summary>
    public string Fact(string text) => Wrap("33", text);

    /// <summary>Something that went as it should (memory given back, a check that caught its error): green.</summary>
    public string Good(string text) => Wrap("32", text);

    /// <summary>Something that went wrong, or an error being demonstrated: red.</summary>
    public string Bad(string text) => Wrap("31", text);

    private string Wrap(string sgr, string text) => _ansi && text.Length > 0 ? $"\e[{sgr}m{text}\e[0m" : text;
}
