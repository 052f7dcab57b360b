namespace Ebb.Proc.Vdso;

/// <summary>
/// An ELF image that is truncated or corrupt. The message is one line that names the
/// structure at fault and the offsets involved, e.g.
/// <c>corrupt ELF image: program header table (4 x 56 bytes at 0x40) runs past the end of the 200-byte image</c>.
/// </summary>
public sealed class ElfFormatException : FormatException
{
    /// <summary>Creates the exception; <paramref name="detail"/> is the part after <c>corrupt ELF image: </c>.</summary>
    public ElfFormatException(string detail) : base("corrupt ELF image: " + detail) => Detail = detail;

    /// <summary>What is wrong, without the <c>corrupt ELF image: </c> prefix.</summary>
    public string Detail { get; }
}
