namespace Ebb.Preload.Tests;

/// <summary>
/// The C programs of c/, compiled once per test run with gcc into a temporary folder (deleted at
/// the end). A missing gcc makes the tests that need a program skip, with the reason; a program
/// that does not compile makes them fail, with gcc's messages.
/// </summary>
public sealed class NativeBuild : IDisposable
{
    /// <summary>Flags for every program: optimised as a real program is, with symbols for a debugger,
    /// and -fno-builtin so that gcc neither removes nor merges the allocator calls under test.</summary>
    public static readonly string[] Flags = ["-O2", "-g", "-pthread", "-fno-builtin", "-Wall"];

    /// <summary>Each program: its source (c/NAME.c), its output file and the flags after the source.</summary>
    private static readonly (string Name, string Output, string[] Extra)[] s_programs =
    [
        ("contract", "contract", ["-ldl"]),
        ("threads", "threads", []),
        ("inpreload", "inpreload", ["-ldl"]),
        ("dl", "dl", ["-ldl"]),
        ("dlib", "libdlib.so", ["-shared", "-fPIC"]),
        ("errors", "errors", []),
        ("foreign", "foreign", []),
    ];

    private readonly Dictionary<string, string> _built = [];
    private readonly Dictionary<string, string> _errors = [];

    /// <summary>The folder the programs are built into.</summary>
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), $"ebb-preload-tests-{Environment.ProcessId}");

    /// <summary>The folder holding the C sources (copied beside the test assembly).</summary>
    public static string SourceDirectory => Path.Combine(AppContext.BaseDirectory, "c");

    /// <summary>gcc's path, or null when it is not installed.</summary>
    public string? Gcc { get; } = Run.Which("gcc");

    /// <summary>Compiles every program (about a second in all).</summary>
    public NativeBuild()
    {
        if (Gcc is null) return;
        System.IO.Directory.CreateDirectory(Directory);
        foreach (var (name, file, extra) in s_programs)
        {
            string output = Path.Combine(Directory, file);
            var r = Run.Process(Gcc, [.. Flags, "-o", output, Path.Combine(SourceDirectory, name + ".c"), .. extra], preload: null);
            if (r.ExitCode == 0) _built[name] = output;
            else _errors[name] = r.Describe();
        }
    }

    /// <summary>Skips when gcc is missing; fails when the program did not compile; otherwise its path.</summary>
    public string Program(string name)
    {
        RequireGcc();
        if (_errors.TryGetValue(name, out string? error)) Assert.Fail($"{name}.c did not compile:\n{error}");
        return _built.TryGetValue(name, out string? path) ? path : throw new ArgumentException($"no program {name}", nameof(name));
    }

    /// <summary>Skips the calling test when gcc is not installed.</summary>
    public void RequireGcc() =>
        Skip.If(Gcc is null, "gcc is not installed (the C test programs are compiled during the run): apt-get install gcc");

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless; a failure to delete it must not fail the run.
        }
    }
}

/// <summary>Every test class of this project shares one <see cref="NativeBuild"/> and runs one at a time
/// (the machine may have two cores; the threaded programs and real programs need them).</summary>
[CollectionDefinition(Name)]
public sealed class PreloadCollection : ICollectionFixture<NativeBuild>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "preload";
}
