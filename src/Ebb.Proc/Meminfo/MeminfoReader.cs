using System.Globalization;
using System.Text;

namespace Ebb.Proc;

/// <summary>
/// Reads <c>meminfo</c> under a root directory (normally <c>/proc</c>; see <see cref="ProcPaths"/>).
/// Strict: a file that is empty, cut off mid-line, or has a line that is not
/// <c>Name: value [kB]</c> raises <see cref="ProcReadException"/> (Truncated or Corrupt)
/// rather than silently reading as zeros.
/// </summary>
public static class MeminfoReader
{
    /// <summary>The file's name under the root.</summary>
    public const string FileName = "meminfo";

    /// <summary>Reads and parses <c>ROOT/meminfo</c>.</summary>
    /// <param name="root">The directory standing for <c>/proc</c>.</param>
    /// <exception cref="ProcReadException">The file is missing, unreadable, empty, truncated or corrupt.</exception>
    public static Meminfo Read(string root = ProcPaths.DefaultRoot)
    {
        string path = ProcPaths.Global(root, FileName);
        byte[] bytes = ProcFile.ReadAll(path, out int length);
        // The kernel writes ASCII; Latin-1 maps any stray byte to one char, so nothing is lost.
        return Parse(Encoding.Latin1.GetString(bytes, 0, length), path);
    }

    /// <summary>Parses the text of a meminfo file.</summary>
    /// <param name="text">The whole file.</param>
    /// <param name="path">The file's name, for error messages.</param>
    /// <exception cref="ProcReadException">The text is empty or truncated (<see cref="ProcReadErrorKind.Truncated"/>), or a line is malformed (<see cref="ProcReadErrorKind.Corrupt"/>).</exception>
    public static Meminfo Parse(string text, string path = FileName)
    {
        if (text.Length == 0) throw new ProcReadException(ProcReadErrorKind.Truncated, path, "empty file");
        if (text[^1] != '\n')
            throw new ProcReadException(ProcReadErrorKind.Truncated, path, $"line {text.AsSpan().Count('\n') + 1}: no newline at the end (truncated)");

        var body = text.AsSpan(0, text.Length - 1);
        var fields = new List<MeminfoField>(64);
        int lineNo = 0;
        foreach (var range in body.Split('\n'))
        {
            lineNo++;
            fields.Add(ParseLine(body[range], path, lineNo));
        }
        return new Meminfo(fields);
    }

    // One line: "Name:" then blanks, digits, and optionally " kB". Names may hold
    // parentheses (Active(anon)) but never blanks or a colon.
    private static MeminfoField ParseLine(ReadOnlySpan<char> line, string path, int lineNo)
    {
        int colon = line.IndexOf(':');
        if (colon < 0) throw Corrupt(path, lineNo, "no ':' after the field name");
        var name = line[..colon];
        if (name.IsEmpty || name.ContainsAny(' ', '\t')) throw Corrupt(path, lineNo, $"bad field name '{name}'");

        var rest = line[(colon + 1)..].TrimStart(' ');
        int digits = 0;
        while (digits < rest.Length && char.IsAsciiDigit(rest[digits])) digits++;
        if (digits == 0) throw Corrupt(path, lineNo, $"{name}: no number");
        if (!ulong.TryParse(rest[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
            throw Corrupt(path, lineNo, $"{name}: number out of range");

        var unit = rest[digits..];
        string unitText;
        if (unit.IsEmpty) unitText = "";
        else if (unit.SequenceEqual(" kB")) unitText = "kB";
        else throw Corrupt(path, lineNo, $"{name}: unexpected '{unit}' after the number");
        return new MeminfoField(name.ToString(), value, unitText);
    }

    private static ProcReadException Corrupt(string path, int line, string detail) =>
        new(ProcReadErrorKind.Corrupt, path, $"line {line}: {detail}");
}
