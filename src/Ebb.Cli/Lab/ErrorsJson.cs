using System.Text;
using System.Text.Json;

namespace Ebb.Cli.Lab;

/// <summary>
/// <c>ebb lab errors --json</c>: one JSON object a mistake, a line each (the JSON section of
/// docs/compatibility.md has the schema): what was done, under which mode, what caught it, the
/// child's exit code and the first line of Ebb's report (null when there was none).
/// </summary>
internal static class ErrorsJson
{
    /// <summary>One scenario's run as a JSON object, without a newline.</summary>
    public static string Format(ErrorScenarios.Scenario s, ErrorsLab.ChildResult r)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("name", s.Name);
            w.WriteString("mistake", s.Mistake);
            w.WriteString("mode", s.Mode);
            w.WriteString("caughtBy", s.CaughtBy);
            w.WriteNumber("exitCode", r.ExitCode);
            w.WriteString("report", (r.Stdout + r.Stderr).Split('\n')
                .Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.StartsWith("ebb: ERROR:", StringComparison.Ordinal)));
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
