using System.Globalization;

namespace Ebb.Proc;

/// <summary>
/// Reads <c>meminfo</c> under a <see cref="ProcRoot"/>. Strict: a file that is empty, cut off
/// mid-line, or has a line that is not <c>Name: value [kB]</c> raises
/// <see cref="MeminfoFormatException"/> rather than silently reading as zeros.
/// </summary>
public static class MeminfoReader
{
    /// <summary>The file's name under the root.</summary>
    public const string FileName = "meminfo";

    /// <summary>Reads and parses <c>ROOT/meminfo</c>.</summary>
    /// <param name="root">The directory standing for <c>/proc</c>.</param>
    /// <exception cref="FileNotFoundException">The file (or its directory) does not exist.</exception>
    /// <exception cref="MeminfoFormatException">The file is empty, truncated or corrupt.</exception>
    /// <exception cref="IOException">The file could not be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static Meminfo Read(ProcRoot root)
    {
        string path = root.File(FileName);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new FileNotFoundException(e.Message, path, e);
        }
        return Parse(text, path);
    }

    /// <summary>Parses the text of a meminfo file.</summary>
    /// <param name="text">The whole file.</param>
    /// <param name="path">The file's name, for error messages.</param>
    /// <exception cref="MeminfoFormatException">The text is empty, truncated or corrupt.</exception>
    public static Meminfo Parse(string text, string path = "meminfo")
    {
        if (text.Length == 0) throw new MeminfoFormatException(path, 0, "empty file");
        if (text[^1] != '\n') throw new MeminfoFormatException(path, CountLines(text), "truncated: the last line has no newline");

        var fields = new List<MeminfoField>(64);
        int lineNo = 0;
        foreach (var range in text.AsSpan(0, text.Length - 1).Split('\n'))
        {
            lineNo++;
            fields.Add(ParseLine(text.AsSpan(0, text.Length - 1)[range], path, lineNo));
        }
        return new Meminfo(fields);
    }

    // One line: "Name:" then blanks, digits, and optionally " kB". Names may hold
    // parentheses (Active(anon)) but never blanks or a colon.
    private static MeminfoField ParseLine(ReadOnlySpan<char> line, string path, int lineNo)
    {
        int colon = line.IndexOf(':');
        if (colon < 0) throw new MeminfoFormatException(path, lineNo, "no ':' after the field name");
        var name = line[..colon];
        if (name.IsEmpty || name.ContainsAny(' ', '\t'))
            throw new MeminfoFormatException(path, lineNo, $"bad field name '{name}'");

        var rest = line[(colon + 1)..].TrimStart(' ');
        int digits = 0;
        while (digits < rest.Length && char.IsAsciiDigit(rest[digits])) digits++;
        if (digits == 0) throw new MeminfoFormatException(path, lineNo, $"{name}: no number");
        if (!ulong.TryParse(rest[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
            throw new MeminfoFormatException(path, lineNo, $"{name}: number out of range");

        var unit = rest[digits..];
        string unitText;
        if (unit.IsEmpty) unitText = "";
        else if (unit.SequenceEqual(" kB")) unitText = "kB";
        else throw new MeminfoFormatException(path, lineNo, $"{name}: unexpected '{unit}' after the number");
        return new MeminfoField(name.ToString(), value, unitText);
    }

    private static int CountLines(string text) => text.AsSpan().Count('\n') + 1;
}
