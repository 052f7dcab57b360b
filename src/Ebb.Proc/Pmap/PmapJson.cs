using System.Text;
using System.Text.Json;

namespace Ebb.Proc.Pmap;

/// <summary>
/// <c>ebb pmap --json</c>: one process as one JSON object on one line (the JSON section of
/// docs/compatibility.md has the schema). Every layout's figures are there, whatever
/// <c>-x</c>/<c>-X</c>/<c>-d</c> say: each mapping's maps fields and all of its smaps fields,
/// the <c>kB</c> ones in bytes, under camelCase names (<c>Shared_Clean</c> is
/// <c>sharedCleanBytes</c>, <c>THPeligible</c> is <c>thpEligible</c>).
/// </summary>
public static class PmapJson
{
    /// <summary>The process as a JSON object, without a newline.</summary>
    /// <param name="pid">The thread group id, as the header shows it.</param>
    /// <param name="command">The command line as the header shows it (escaped as procps does).</param>
    /// <param name="smaps">Its mappings, from smaps.</param>
    public static string Format(int pid, string command, IReadOnlyList<SmapsEntry> smaps)
    {
        ArgumentNullException.ThrowIfNull(smaps);
        var totals = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var order = new List<string>();
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("pid", pid);
            w.WriteString("command", command);
            w.WriteStartArray("mappings");
            foreach (var e in smaps)
            {
                var m = e.Map;
                w.WriteStartObject();
                w.WriteNumber("start", m.Start);
                w.WriteNumber("end", m.End);
                w.WriteNumber("sizeBytes", m.Size);
                w.WriteString("permissions", m.PermissionsText);
                w.WriteNumber("offset", m.Offset);
                w.WriteString("device", $"{m.DeviceMajor:x2}:{m.DeviceMinor:x2}");
                w.WriteNumber("inode", m.Inode);
                w.WriteString("name", m.Name);
                foreach (var f in e.Fields)
                {
                    string key = Key(f.Name, f.InKilobytes);
                    ulong value = f.InKilobytes ? f.Value * 1024 : f.Value;
                    w.WriteNumber(key, value);
                    if (!f.InKilobytes) continue;
                    if (!totals.ContainsKey(key)) order.Add(key);
                    totals[key] = totals.GetValueOrDefault(key) + value;
                }
                if (e.VmFlags is not null) w.WriteString("vmFlags", e.VmFlags);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            // The sums of the byte figures, as the footers of pmap -x and -X add them.
            w.WriteStartObject("totals");
            w.WriteNumber("mappings", smaps.Count);
            foreach (var key in order) w.WriteNumber(key, totals[key]);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// An smaps field's JSON key: camelCase without underscores, <c>Bytes</c> after a kB one
    /// (<c>Private_Dirty</c> is <c>privateDirtyBytes</c>, <c>THPeligible</c> <c>thpEligible</c>).
    /// </summary>
    public static string Key(string field, bool inKilobytes)
    {
        ArgumentNullException.ThrowIfNull(field);
        var sb = new StringBuilder();
        foreach (var part in field.Split('_', StringSplitOptions.RemoveEmptyEntries))
        {
            // A leading run of capitals is an acronym (THP in THPeligible): one lower-case word.
            int caps = 0;
            while (caps < part.Length && char.IsAsciiLetterUpper(part[caps])) caps++;
            string word = caps == part.Length ? part.ToLowerInvariant()
                : caps > 1 ? part[..caps].ToLowerInvariant() + char.ToUpperInvariant(part[caps]) + part[(caps + 1)..]
                : char.ToLowerInvariant(part[0]) + part[1..];
            sb.Append(sb.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..]);
        }
        if (inKilobytes) sb.Append("Bytes");
        return sb.ToString();
    }
}
