using System.Text;
using System.Text.Json;

namespace Ebb.Proc.Free;

/// <summary>
/// <c>ebb free --json</c>: the figures of one report as one line of JSON, in bytes whatever
/// the unit options (the JSON section of docs/compatibility.md has the schema). A figure procps computes as a wrapped
/// unsigned value (used above total) is the negative number procps prints.
/// </summary>
public static class FreeJson
{
    /// <summary>One JSON object, without a newline.</summary>
    public static string Format(FreeFigures f)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            Bytes(w, "memTotal", f.MemTotal);
            Bytes(w, "memUsed", f.MemUsed);
            Bytes(w, "memFree", f.MemFree);
            Bytes(w, "shared", f.Shared);
            Bytes(w, "buffers", f.Buffers);
            Bytes(w, "cache", f.Cache);
            Bytes(w, "buffCache", unchecked(f.Buffers + f.Cache));
            Bytes(w, "available", f.Available);
            Bytes(w, "lowTotal", f.LowTotal);
            Bytes(w, "lowUsed", f.LowUsed);
            Bytes(w, "lowFree", f.LowFree);
            Bytes(w, "highTotal", f.HighTotal);
            Bytes(w, "highUsed", f.HighUsed);
            Bytes(w, "highFree", f.HighFree);
            Bytes(w, "swapTotal", f.SwapTotal);
            Bytes(w, "swapUsed", f.SwapUsed);
            Bytes(w, "swapFree", f.SwapFree);
            Bytes(w, "commitLimit", f.CommitLimit);
            Bytes(w, "committedAs", f.CommittedAs);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    // kB as bytes; a wrapped (negative) figure stays negative, as procps prints it.
    // (decimal: a kB figure near 2^63 times 1024 does not fit a long, and prints as an integer.)
    private static void Bytes(Utf8JsonWriter w, string name, ulong kb) =>
        w.WriteNumber(name, (decimal)unchecked((long)kb) * 1024);
}
