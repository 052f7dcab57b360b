namespace Ebb.Proc;

/// <summary>The four permission letters of a mapping (<c>rwxp</c> / <c>r--s</c>) as flags.</summary>
[Flags]
public enum MapPermissions : byte
{
    /// <summary>No access (PROT_NONE), private.</summary>
    None = 0,

    /// <summary><c>r</c>: readable.</summary>
    Read = 1,

    /// <summary><c>w</c>: writable.</summary>
    Write = 2,

    /// <summary><c>x</c>: executable.</summary>
    Execute = 4,

    /// <summary><c>s</c>: shared (MAP_SHARED); absent means private (<c>p</c>).</summary>
    Shared = 8,
}

/// <summary>Text form of <see cref="MapPermissions"/>, as the kernel writes it.</summary>
public static class MapPermissionsText
{
    private static readonly string[] s_texts = Build();

    private static string[] Build()
    {
        var t = new string[16];
        for (int i = 0; i < 16; i++)
        {
            var p = (MapPermissions)i;
            t[i] = string.Create(4, p, static (s, p) =>
            {
                s[0] = (p & MapPermissions.Read) != 0 ? 'r' : '-';
                s[1] = (p & MapPermissions.Write) != 0 ? 'w' : '-';
                s[2] = (p & MapPermissions.Execute) != 0 ? 'x' : '-';
                s[3] = (p & MapPermissions.Shared) != 0 ? 's' : 'p';
            });
        }
        return t;
    }

    /// <summary>The four letters, e.g. <c>r-xp</c>.</summary>
    public static string ToText(this MapPermissions permissions) => s_texts[(int)permissions & 15];
}
