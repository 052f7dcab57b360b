namespace Ebb.Proc.Vdso;

/// <summary>A symbol's binding, the high nibble of <c>st_info</c> (STB_*).</summary>
public enum ElfSymbolBinding : byte
{
    /// <summary>STB_LOCAL: not visible outside the object.</summary>
    Local = 0,
    /// <summary>STB_GLOBAL: visible everywhere.</summary>
    Global = 1,
    /// <summary>STB_WEAK: global, but another definition may take precedence.</summary>
    Weak = 2,
    /// <summary>STB_GNU_UNIQUE: one definition in the whole process.</summary>
    GnuUnique = 10,
}

/// <summary>A symbol's type, the low nibble of <c>st_info</c> (STT_*).</summary>
public enum ElfSymbolType : byte
{
    /// <summary>STT_NOTYPE.</summary>
    NoType = 0,
    /// <summary>STT_OBJECT: data.</summary>
    Object = 1,
    /// <summary>STT_FUNC: code.</summary>
    Function = 2,
    /// <summary>STT_SECTION.</summary>
    Section = 3,
    /// <summary>STT_FILE.</summary>
    File = 4,
    /// <summary>STT_COMMON.</summary>
    Common = 5,
    /// <summary>STT_TLS: thread-local data.</summary>
    Tls = 6,
    /// <summary>STT_GNU_IFUNC: a function chosen at load time by a resolver.</summary>
    GnuIndirectFunction = 10,
}
