using Ebb.Cli.Terminal;
using System.Text.Json;

namespace Ebb.Cli.Lab;

/// <summary>
/// Runs an experiment in a child <c>ebb lab NAME --in-process --json</c> and reads its facts
/// back, for experiments that should not run among this process's threads.
/// </summary>
internal static class LabChild
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    /// <summary>The facts the child measured.</summary>
    /// <exception cref="CliException">The child failed; its one-line error is passed on.</exception>
    public static T Measure<T>(string name)
    {
        var (code, stdout, stderr) = SelfProcess.Run(s_timeout, "lab", name, "--in-process", "--json");
        if (code != 0)
        {
            string why = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? $"exit code {code}";
            throw new CliException($"ebb lab {name}: the child process failed: {why}");
        }
        return Parse<T>(name, stdout);
    }

    /// <summary>Parses the JSON facts an experiment printed.</summary>
    /// <exception cref="CliException">The text is not the facts.</exception>
    public static T Parse<T>(string name, string json)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new CliException($"ebb lab {name}: the child process printed no facts ({e.Message})");
        }
    }

    /// <summary>The facts as indented JSON.</summary>
    public static string ToJson<T>(T facts) => JsonSerializer.Serialize(facts, s_indented);

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };
}
