// A public option type: users find it in namespace Ebb beside EbbOptions, and the core, which
// reads it, sits below the API layer, so it is declared here (IDE0130 would want Ebb.Arena).
#pragma warning disable IDE0130
namespace Ebb;
#pragma warning restore IDE0130

/// <summary>Where the arena takes its chunks from.</summary>
public enum EbbPageSource
{
    /// <summary>Anonymous mappings (the default).</summary>
    Mmap,
    /// <summary>The program break (brk): only the top can shrink, so free pages under a live one go back only through madvise.</summary>
    Brk,
}
