using System.Text;

namespace Ebb.Proc.Pmap;

/// <summary>
/// A growable byte buffer with the handful of printf conversions pmap uses (%*s, %-*s, %*lu,
/// %0*lx). Output is bytes, not text, because mapping names are written as the kernel gave
/// them, including bytes that are not UTF-8.
/// </summary>
public sealed class ByteWriter
{
    private byte[] _buffer;
    private int _length;

    /// <summary>Creates an empty buffer.</summary>
    public ByteWriter(int capacity = 4096) => _buffer = new byte[Math.Max(capacity, 16)];

    /// <summary>Bytes written so far.</summary>
    public int Length => _length;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>Forgets the contents, keeping the storage.</summary>
    public void Clear() => _length = 0;

    /// <summary>A copy of the contents.</summary>
    public byte[] ToArray() => WrittenSpan.ToArray();

    /// <summary>The contents decoded as UTF-8 (for tests and text writers).</summary>
    public override string ToString() => Encoding.UTF8.GetString(WrittenSpan);

    private Span<byte> Grab(int count)
    {
        if (_length + count > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }

    /// <summary>Appends bytes.</summary>
    public void Write(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Grab(bytes.Length));

    /// <summary>Appends one byte.</summary>
    public void Write(byte b) => Grab(1)[0] = b;

    /// <summary>Appends ASCII text.</summary>
    public void Write(string ascii)
    {
        var span = Grab(ascii.Length);
        for (int i = 0; i < ascii.Length; i++) span[i] = (byte)ascii[i];
    }

    /// <summary>Appends <paramref name="count"/> copies of <paramref name="b"/> (nothing when count ≤ 0).</summary>
    public void Repeat(byte b, int count)
    {
        if (count > 0) Grab(count).Fill(b);
    }

    /// <summary><c>%*s</c>: right-aligned in <paramref name="width"/>, never cut.</summary>
    public void Right(ReadOnlySpan<byte> s, int width)
    {
        Repeat((byte)' ', width - s.Length);
        Write(s);
    }

    /// <summary><c>%*s</c> for ASCII text.</summary>
    public void Right(string s, int width)
    {
        Repeat((byte)' ', width - s.Length);
        Write(s);
    }

    /// <summary><c>%-*s</c>: left-aligned in <paramref name="width"/>, never cut.</summary>
    public void Left(string s, int width)
    {
        Write(s);
        Repeat((byte)' ', width - s.Length);
    }

    /// <summary><c>%*lu</c>: a decimal number right-aligned in <paramref name="width"/>.</summary>
    public void Decimal(ulong value, int width = 0)
    {
        int digits = DecimalWidth(value);
        Repeat((byte)' ', width - digits);
        var span = Grab(digits);
        for (int i = digits - 1; i >= 0; i--)
        {
            span[i] = (byte)('0' + value % 10);
            value /= 10;
        }
    }

    /// <summary><c>%0*lx</c>: lowercase hex, zero-padded to <paramref name="width"/>.</summary>
    public void Hex(ulong value, int width)
    {
        int digits = HexWidth(value);
        Repeat((byte)'0', width - digits);
        var span = Grab(digits);
        for (int i = digits - 1; i >= 0; i--)
        {
            span[i] = (byte)"0123456789abcdef"[(int)(value & 15)];
            value >>= 4;
        }
    }

    /// <summary>How many characters <c>%lu</c> prints for <paramref name="value"/>.</summary>
    public static int DecimalWidth(ulong value)
    {
        int n = 1;
        while (value >= 10) { value /= 10; n++; }
        return n;
    }

    /// <summary>How many characters <c>%lx</c> prints for <paramref name="value"/>.</summary>
    public static int HexWidth(ulong value)
    {
        int n = 1;
        while (value >= 16) { value >>= 4; n++; }
        return n;
    }
}
