namespace Ebb.Proc.Vdso;

/// <summary>
/// The vDSO could not be read at all (the process is gone, reading its memory is not
/// permitted, it has no <c>[vdso]</c> mapping). The message is one line, ready to print.
/// A vDSO that was read but does not parse raises <see cref="ElfFormatException"/> instead.
/// </summary>
public sealed class VdsoException(string message, Exception? inner = null) : Exception(message, inner);
