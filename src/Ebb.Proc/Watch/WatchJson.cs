using System.Text;
using System.Text.Json;

namespace Ebb.Proc.Watch;

/// <summary>
/// <c>ebb watch --json</c>: one JSON object a sample, a line each (JSON lines), sizes in bytes,
/// null where the kernel did not say (the JSON section of docs/compatibility.md has the schema).
/// </summary>
public static class WatchJson
{
    /// <summary>One sample as a JSON object, without a newline.</summary>
    /// <param name="pid">The process as watched (<c>self</c> or a number).</param>
    /// <param name="sample">The sample.</param>
    public static string Format(string pid, RssSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("pid", pid);
            w.WriteNumber("elapsedSeconds", Math.Round(sample.Elapsed.TotalSeconds, 6));
            w.WriteNumber("rssBytes", sample.RssKb * 1024);
            Bytes(w, "anonBytes", sample.AnonKb);
            Bytes(w, "fileBytes", sample.FileKb);
            Bytes(w, "shmemBytes", sample.ShmemKb);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Bytes(Utf8JsonWriter w, string name, ulong? kb)
    {
        if (kb is ulong k) w.WriteNumber(name, k * 1024);
        else w.WriteNull(name);
    }
}
