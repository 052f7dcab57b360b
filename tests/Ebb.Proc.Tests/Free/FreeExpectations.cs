namespace Ebb.Proc.Tests.Free;

/// <summary>One run of the real procps free, recorded by fixtures/free/make-expected.sh.</summary>
public sealed record FreeRecord(string Title, string[] Args, int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"free {Title}".TrimEnd();
}

/// <summary>Finds the free fixtures and reads make-expected.sh's records.</summary>
public static class FreeExpectations
{
    /// <summary>tests/Ebb.Proc.Tests/fixtures/free, found from the test binary upwards.</summary>
    public static string Dir { get; } = FindDir();

    public static string Tree(string name) => Path.Combine(Dir, "trees", name);

    public static string[] TreeNames() =>
        Directory.GetFiles(Path.Combine(Dir, "expected"), "*.txt")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(n => n is not ("errors" or "empty"))
            .Select(n => n!)
            .Order(StringComparer.Ordinal)
            .ToArray();

    public static IReadOnlyList<FreeRecord> Load(string expectedName)
    {
        var records = new List<FreeRecord>();
        string? title = null;
        var args = new List<string>();
        int rc = -1;
        var stdout = new System.Text.StringBuilder();
        var stderr = new System.Text.StringBuilder();
        foreach (string line in File.ReadLines(Path.Combine(Dir, "expected", expectedName + ".txt")))
        {
            if (line.StartsWith("@case", StringComparison.Ordinal)) { title = line.Length > 6 ? line[6..] : ""; args.Clear(); rc = -1; stdout.Clear(); stderr.Clear(); }
            else if (line.StartsWith("@arg ", StringComparison.Ordinal)) args.Add(line[5..]);
            else if (line.StartsWith("@rc ", StringComparison.Ordinal)) rc = int.Parse(line[4..]);
            else if (line.StartsWith("| ", StringComparison.Ordinal)) stdout.Append(line[2..]).Append('\n');
            else if (line.StartsWith("! ", StringComparison.Ordinal)) stderr.Append(line[2..]).Append('\n');
            else if (line == "@end") records.Add(new FreeRecord(title!, args.ToArray(), rc, stdout.ToString(), stderr.ToString()));
            else throw new InvalidDataException($"{expectedName}.txt: unexpected line '{line}'");
        }
        return records;
    }

    private static string FindDir()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "tests", "Ebb.Proc.Tests", "fixtures", "free");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("tests/Ebb.Proc.Tests/fixtures/free not found above " + AppContext.BaseDirectory);
    }
}
