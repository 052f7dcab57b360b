namespace Ebb.Preload.Tests;

/// <summary>
/// Which shared library these tests preload. In order:
/// <list type="number">
/// <item><c>EBB_PRELOAD_LIB</c>, when set and not empty: that file (any preloadable malloc, e.g.
/// <c>/usr/lib/x86_64-linux-gnu/libmimalloc.so.2</c>, to check the tests themselves). A path that
/// does not exist is an error, not a skip: a typo must not turn the suite into skips.</item>
/// <item><c>libebb.so</c> next to the test assembly (the build of libebb.so copies it there).</item>
/// </list>
/// When neither is there, every test that needs the library is skipped with <see cref="Missing"/>
/// as its reason.
/// </summary>
public static class PreloadLibrary
{
    /// <summary>The environment variable that names the library to test instead of libebb.so.</summary>
    public const string Variable = "EBB_PRELOAD_LIB";

    /// <summary>The file name looked for next to the test assembly.</summary>
    public const string DefaultName = "libebb.so";

    private static readonly Lazy<string?> s_path = new(Find);

    /// <summary>The absolute path of the library to preload, or null when there is none.</summary>
    public static string? Path => s_path.Value;

    /// <summary>True when the library tested is Ebb's (its file name starts with libebb), not a stand-in.</summary>
    public static bool IsEbb => Path is { } p && System.IO.Path.GetFileName(p).StartsWith("libebb", StringComparison.Ordinal);

    /// <summary>The skip reason when <see cref="Path"/> is null.</summary>
    public static string Missing =>
        $"no allocator to preload: {Variable} is not set and there is no {DefaultName} in {AppContext.BaseDirectory} " +
        $"(build libebb.so, or set {Variable}=/usr/lib/x86_64-linux-gnu/libmimalloc.so.2 to run these tests against another allocator)";

    /// <summary>Skips the calling test when there is no library; returns its path otherwise.</summary>
    public static string Require()
    {
        Skip.If(Path is null, Missing);
        return Path!;
    }

    private static string? Find()
    {
        string? fromEnv = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(fromEnv))
        {
            string full = System.IO.Path.GetFullPath(fromEnv);
            if (!File.Exists(full))
                throw new FileNotFoundException($"{Variable}={fromEnv}, and there is no such file", full);
            return full;
        }
        string beside = System.IO.Path.Combine(AppContext.BaseDirectory, DefaultName);
        return File.Exists(beside) ? beside : null;
    }
}
