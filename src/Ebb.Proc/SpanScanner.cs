namespace Ebb.Proc;

/// <summary>
/// A cursor over one line of /proc text: hex and decimal numbers, spaces and fields, without
/// allocating. A malformed line makes <see cref="Ok"/> false instead of throwing, so the caller
/// can name the file and line in its one exception.
/// </summary>
internal ref struct SpanScanner
{
    private readonly ReadOnlySpan<byte> _line;
    private int _pos;

    public SpanScanner(ReadOnlySpan<byte> line)
    {
        _line = line;
        _pos = 0;
        Ok = true;
    }

    /// <summary>False once any read failed.</summary>
    public bool Ok { get; private set; }

    /// <summary>Current position in the line.</summary>
    public readonly int Position => _pos;

    /// <summary>The unread rest of the line.</summary>
    public readonly ReadOnlySpan<byte> Rest => _line[_pos..];

    /// <summary>True at end of line.</summary>
    public readonly bool AtEnd => _pos >= _line.Length;

    /// <summary>Reads one or more lowercase or uppercase hex digits (at most 16).</summary>
    public ulong Hex()
    {
        ulong value = 0;
        int start = _pos;
        while (_pos < _line.Length)
        {
            int d = HexDigit(_line[_pos]);
            if (d < 0) break;
            value = (value << 4) | (uint)d;
            _pos++;
        }
        if (_pos == start || _pos - start > 16) Ok = false;
        return value;
    }

    /// <summary>Reads one or more decimal digits.</summary>
    public ulong Decimal()
    {
        ulong value = 0;
        int start = _pos;
        while (_pos < _line.Length)
        {
            uint d = (uint)(_line[_pos] - '0');
            if (d > 9) break;
            ulong next = value * 10 + d;
            if (next / 10 != value) Ok = false; // overflow
            value = next;
            _pos++;
        }
        if (_pos == start) Ok = false;
        return value;
    }

    /// <summary>Reads a signed decimal number (an optional leading '-').</summary>
    public long SignedDecimal()
    {
        bool negative = _pos < _line.Length && _line[_pos] == '-';
        if (negative) _pos++;
        ulong magnitude = Decimal();
        if (magnitude > long.MaxValue) Ok = false;
        return negative ? -(long)magnitude : (long)magnitude;
    }

    /// <summary>Requires the byte <paramref name="c"/> next.</summary>
    public void Expect(byte c)
    {
        if (_pos < _line.Length && _line[_pos] == c) _pos++;
        else Ok = false;
    }

    /// <summary>Skips spaces and tabs; returns how many.</summary>
    public int SkipBlanks()
    {
        int start = _pos;
        while (_pos < _line.Length && (_line[_pos] == ' ' || _line[_pos] == '\t')) _pos++;
        return _pos - start;
    }

    /// <summary>Reads up to the next space (or end of line).</summary>
    public ReadOnlySpan<byte> Token()
    {
        int start = _pos;
        while (_pos < _line.Length && _line[_pos] != ' ') _pos++;
        if (_pos == start) Ok = false;
        return _line[start.._pos];
    }

    /// <summary>Skips <paramref name="count"/> bytes, which must exist.</summary>
    public ReadOnlySpan<byte> Take(int count)
    {
        if (_pos + count > _line.Length)
        {
            Ok = false;
            return default;
        }
        var s = _line.Slice(_pos, count);
        _pos += count;
        return s;
    }

    private static int HexDigit(byte b)
    {
        uint d = (uint)(b - '0');
        if (d <= 9) return (int)d;
        d = (uint)((b | 0x20) - 'a');
        return d <= 5 ? (int)d + 10 : -1;
    }
}
