using System.Reflection;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using Xunit;

namespace Ebb.Tests.Architecture;

/// <summary>
/// Ebb.dll carries ahead-of-time code (src/Ebb/Ebb.csproj, target EbbReadyToRun), so a process's
/// first allocations run compiled code instead of waiting for the JIT. Two things would undo it
/// quietly: a method marked AggressiveOptimization (crossgen2 leaves such methods out, and the JIT
/// compiles them at first call), and a Release build that lost the step. Three kinds of method may
/// still be AggressiveOptimization (docs/allocator.md): the public entry points that callers
/// inline, the heap's per-page paths (refill, carving, remote and local frees), which every
/// process reaches at once and then all the time, and the checked paths, which run only when a
/// check mode is on. The rest (the arena, the OS layer, the .NET host, housekeeping, heap set-up)
/// is ahead-of-time code.
/// </summary>
public class ReadyToRunTests
{
    private static readonly Assembly s_ebb = typeof(EbbMemory).Assembly;

    [Fact]
    public void NoMethodOfEbbIsLeftOutOfTheImage()
    {
        const BindingFlags all = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance;
        var methods = s_ebb.GetTypes()
            .SelectMany(t => t.GetMethods(all).Cast<MethodBase>().Concat(t.GetConstructors(all)))
            .ToList();
        Assert.True(methods.Count > 300, $"found only {methods.Count} methods in {s_ebb.GetName().Name}");
        var marked = methods
            .Where(m => (m.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0)
            .Where(m => (m.MethodImplementationFlags & MethodImplAttributes.AggressiveInlining) == 0)
            .Where(m => m.DeclaringType?.Namespace is not ("Ebb.Checks" or "Ebb.Heap") && !m.Name.StartsWith("Checked", StringComparison.Ordinal))
            .Select(m => $"{m.DeclaringType?.FullName}.{m.Name}")
            .ToList();
        Assert.True(marked.Count == 0, "AggressiveOptimization keeps these out of the ReadyToRun image: " + string.Join(", ", marked));
    }

    [SkippableFact]
    public void TheReleaseBuildOfEbbIsAReadyToRunImageThatKeepsItsPdb()
    {
        Skip.IfNot(IsRelease(s_ebb), "a Debug build of Ebb.dll is not compiled ahead of time");
        Skip.IfNot(OperatingSystem.IsLinux() && RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64, "crossgen2 runs on linux-x64 builds only");
        using var pe = new PEReader(File.OpenRead(s_ebb.Location));
        var cor = pe.PEHeaders.CorHeader;
        Assert.NotNull(cor);
        Assert.True(cor.ManagedNativeHeaderDirectory.Size > 0, $"{s_ebb.Location} has no ReadyToRun header: IL only");
        Assert.Contains(pe.ReadDebugDirectory(), e => e.Type == DebugDirectoryEntryType.EmbeddedPortablePdb);
    }

    private static bool IsRelease(Assembly a) =>
        a.GetCustomAttribute<System.Diagnostics.DebuggableAttribute>() is not { IsJITOptimizerDisabled: true };
}
