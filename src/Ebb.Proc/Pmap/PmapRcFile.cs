using System.Text;

namespace Ebb.Proc.Pmap;

/// <summary>What an rc file (<c>~/.pmaprc</c>, or <c>-C FILE</c>) says: which columns to show and whether to flip ShowPath.</summary>
/// <param name="Fields">The names listed under <c>[Fields Display]</c>.</param>
/// <param name="ToggleShowPath">True when <c>ShowPath</c> appears an odd number of times under <c>[Mapping]</c> (each one flips it, as in procps).</param>
/// <param name="Warnings">procps's warnings, in order, without the <c>pmap: </c> prefix.</param>
public sealed record PmapRcConfig(IReadOnlySet<string> Fields, bool ToggleShowPath, IReadOnlyList<string> Warnings);

/// <summary>Reads and writes pmap's rc file as procps-ng 4.0.2 does (config_read, config_create).</summary>
public static class PmapRcFile
{
    private const int MaxLineLength = 1024;

    /// <summary>The file <c>pmap -n</c>/<c>-N</c> writes.</summary>
    public const string Template =
        "# pmap's Config File\n\n# All the entries are case sensitive.\n# Unsupported entries are ignored!\n\n" +
        "[Fields Display]\n\n# To enable a field uncomment its entry\n\n" +
        "#Perm\n#Offset\n#Device\n#Inode\n#Size\n#Rss\n#Pss\n#Shared_Clean\n#Shared_Dirty\n#Private_Clean\n" +
        "#Private_Dirty\n#Referenced\n#Anonymous\n#AnonHugePages\n#Swap\n#KernelPageSize\n#MMUPageSize\n#Locked\n" +
        "#VmFlags\n#Mapping\n\n\n[Mapping]\n\n# to show paths in the mapping column uncomment the following line\n#ShowPath\n\n";

    private enum Section { None, Unsupported, Fields, Mapping }

    /// <summary>Parses the text of an rc file.</summary>
    public static PmapRcConfig Parse(string text)
    {
        var fields = new HashSet<string>(StringComparer.Ordinal);
        var warnings = new List<string>();
        bool toggle = false;
        var section = Section.None;
        int lineNumber = 0;
        var lines = text.Split('\n');
        int count = text.EndsWith('\n') ? lines.Length - 1 : lines.Length;
        for (int li = 0; li < count; li++)
        {
            lineNumber++;
            var line = lines[li];
            if (line.Length >= MaxLineLength)
            {
                warnings.Add($"config line too long - line {lineNumber}");
                line = line[..MaxLineLength];
            }
            var t = line.AsSpan().TrimStart(" \t");
            if (t.IsEmpty || t[0] == '#') continue;
            if (t[0] == '[')
            {
                if (t.StartsWith("[Fields Display]")) { t = t["[Fields Display]".Length..]; section = Section.Fields; }
                else if (t.StartsWith("[Mapping]")) { t = t["[Mapping]".Length..]; section = Section.Mapping; }
                else
                {
                    int close = t.IndexOf(']');
                    if (close >= 0)
                    {
                        section = Section.Unsupported;
                        warnings.Add($"unsupported section found in the config - line {lineNumber}");
                        t = t[(close + 1)..];
                    }
                    else
                    {
                        warnings.Add($"syntax error found in the config - line {lineNumber}");
                        t = default;
                    }
                }
                t = t.TrimStart(" \t");
                if (t.IsEmpty || t[0] == '#') continue;
                // Anything after a section name is a syntax error, and is then read as an entry.
                warnings.Add($"syntax error found in the config - line {lineNumber}");
            }
            switch (section)
            {
                case Section.Fields:
                case Section.Mapping:
                    var tokens = t.ToString().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                    if (tokens.Length == 0) break;
                    if (tokens.Length > 1 && tokens[1][0] != '#')
                        warnings.Add($"syntax error found in the config - line {lineNumber}");
                    if (section == Section.Fields)
                        fields.Add(tokens[0].Length > 31 ? tokens[0][..31] : tokens[0]);
                    else if (tokens[0] == "ShowPath")
                        toggle = !toggle;
                    break;
                case Section.Unsupported:
                    break;
                default:
                    warnings.Add($"syntax error found in the config - line {lineNumber}");
                    break;
            }
        }
        return new PmapRcConfig(fields, toggle, warnings);
    }

    /// <summary>Reads <paramref name="path"/>; null when it cannot be opened.</summary>
    public static PmapRcConfig? Read(string path)
    {
        try
        {
            return Parse(Encoding.UTF8.GetString(File.ReadAllBytes(path)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Writes the template to <paramref name="path"/>; the warning procps prints and false when it exists or cannot be written.</summary>
    public static bool Create(string path, out string? warning)
    {
        warning = null;
        if (File.Exists(path) || Directory.Exists(path))
        {
            warning = "the file already exists - delete or rename it first";
            return false;
        }
        try
        {
            using var f = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            f.Write(Encoding.ASCII.GetBytes(Template));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
