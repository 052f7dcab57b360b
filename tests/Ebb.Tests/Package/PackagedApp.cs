using System.Diagnostics;
using System.IO.Compression;

namespace Ebb.Tests.Package;

/// <summary>
/// Ebb as a user gets it: packed from src/Ebb into a private feed in a temporary folder, then a
/// fresh console app with a PackageReference to it (no ProjectReference), restored into its
/// own packages folder (the global cache may hold an older Ebb 1.0.0) from a nuget.config that
/// names only that feed (offline: the app needs nothing else), and built. Done once for the
/// tests of <see cref="PackageConsumerTests"/>.
/// </summary>
public sealed class PackagedApp : IDisposable
{
    private const string Version = "1.0.0";
    private static readonly TimeSpan s_stepTimeout = TimeSpan.FromMinutes(4);

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("ebb-package-");

    public PackagedApp()
    {
        string feed = Path.Combine(_root.FullName, "feed");
        string app = Path.Combine(_root.FullName, "app");
        Directory.CreateDirectory(app);

        // Its own artifacts path: no clash with the tests' own build of Ebb.
        Dotnet(RepoRoot, "pack", Path.Combine(RepoRoot, "src", "Ebb"), "-c", "Release", "-o", feed,
            "--artifacts-path", Path.Combine(_root.FullName, "build"), "-p:Version=" + Version);
        Package = Path.Combine(feed, $"Ebb.{Version}.nupkg");

        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <AllowUnsafeBlocks>true</AllowUnsafeBlocks>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <RestorePackagesPath>packages</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Ebb" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), AppSource);
        Dotnet(app, "build", "-c", "Release");
        AppDll = Path.Combine(app, "bin", "Release", "net10.0", "App.dll");
    }

    /// <summary>The package file the app was built from.</summary>
    public string Package { get; }

    /// <summary>The built app.</summary>
    public string AppDll { get; }

    /// <summary>The entries of the package.</summary>
    public IReadOnlyList<string> PackageEntries()
    {
        using var zip = ZipFile.OpenRead(Package);
        return zip.Entries.Select(e => e.FullName).ToList();
    }

    /// <summary>The package's manifest (Ebb.nuspec).</summary>
    public System.Xml.Linq.XDocument Nuspec()
    {
        using var zip = ZipFile.OpenRead(Package);
        using var stream = zip.GetEntry("Ebb.nuspec")!.Open();
        return System.Xml.Linq.XDocument.Load(stream);
    }

    /// <summary>Runs the app with <paramref name="scenario"/> and the given EBB_ variables (all others removed).</summary>
    public (int ExitCode, string Stdout, string Stderr) Run(string scenario, params (string Name, string Value)[] env)
    {
        var psi = Start(Path.GetDirectoryName(AppDll)!, AppDll, scenario);
        foreach (var (name, value) in env) psi.Environment[name] = value;
        return Wait(psi, TimeSpan.FromSeconds(60));
    }

    public void Dispose()
    {
        try { _root.Delete(recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static void Dotnet(string workingDirectory, params string[] args)
    {
        // No build server left running on a shared machine after the test.
        var psi = Start(workingDirectory, [.. args, "--disable-build-servers", "--nologo"]);
        var (code, stdout, stderr) = Wait(psi, s_stepTimeout);
        if (code != 0) throw new InvalidOperationException($"dotnet {string.Join(' ', args)} exited {code}:\n{stdout}\n{stderr}");
    }

    private static ProcessStartInfo Start(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) psi.ArgumentList.Add(a);
        // Nothing from the test run's own environment: no Ebb switches, no MSBuild state of `dotnet test`.
        foreach (string key in psi.Environment.Keys.Where(k => k.StartsWith("EBB_", StringComparison.Ordinal)
                     || k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
            psi.Environment.Remove(key);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        return psi;
    }

    private static (int, string, string) Wait(ProcessStartInfo psi, TimeSpan timeout)
    {
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{psi.FileName} {string.Join(' ', psi.ArgumentList)} took more than {timeout}");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static string RepoRoot => Tests.RepoRoot.Path;

    // What a user writes: NativeMemory's calls renamed, and two mistakes for the checks.
    private const string AppSource = """
        using System.Runtime.CompilerServices;
        using Ebb;

        switch (args.Length > 0 ? args[0] : "alloc")
        {
            case "alloc": Consumer.AllocReallocFree(); break;
            case "overflow": Consumer.OverflowOneByte(); break;
            default: Console.Error.WriteLine("unknown scenario"); return 2;
        }
        return 0;

        static unsafe class Consumer
        {
            public static void AllocReallocFree()
            {
                long before = EbbMemory.GetStats().InUseBytes;
                byte* p = (byte*)EbbMemory.Alloc(100);
                for (int i = 0; i < 100; i++) p[i] = (byte)i;
                p = (byte*)EbbMemory.Realloc(p, 5000);
                int sum = 0;
                for (int i = 0; i < 100; i++) sum += p[i];
                long during = EbbMemory.GetStats().InUseBytes;
                EbbMemory.Free(p);
                Console.WriteLine($"sum={sum} grew={(during > before ? 1 : 0)} back={(EbbMemory.GetStats().InUseBytes == before ? 1 : 0)}");
            }

            [MethodImpl(MethodImplOptions.NoInlining)]
            public static void OverflowOneByte()
            {
                byte* p = (byte*)EbbMemory.Alloc(13);
                p[13] = 1;
                EbbMemory.Free(p);
                Console.WriteLine("not caught");
            }
        }
        """;
}
