using System.Text;

namespace ClusterDns.Protocol;

/// <summary>
/// An absolute domain name, kept as uncompressed wire bytes with the case it was given.
/// Equality and hashing ignore ASCII case (RFC 4343). This is the allocating model used by
/// configuration, zone loading and tests; the query path works on <see cref="WireName"/> spans.
/// </summary>
public sealed class DnsName : IEquatable<DnsName>, IComparable<DnsName>
{
    private readonly byte[] _wire;

    public static readonly DnsName Root = new([0]);

    private DnsName(byte[] wire) => _wire = wire;

    /// <summary>Uncompressed wire form, including the final root label.</summary>
    public ReadOnlySpan<byte> Wire => _wire;

    public int WireLength => _wire.Length;

    public int LabelCount => WireName.CountLabels(_wire);

    public bool IsRoot => _wire.Length == 1;

    /// <summary>Creates a name from uncompressed wire bytes; returns false when they are not one valid name.</summary>
    public static bool TryFromWire(ReadOnlySpan<byte> wire, out DnsName name)
    {
        if (!WireName.IsValid(wire))
        {
            name = Root;
            return false;
        }
        name = wire.Length == 1 ? Root : new DnsName(wire.ToArray());
        return true;
    }

    public static DnsName FromWire(ReadOnlySpan<byte> wire) =>
        TryFromWire(wire, out var name) ? name : throw new FormatException("Not a valid wire-format name.");

    /// <summary>Parses presentation form (RFC 1035 §5.1: <c>\.</c>, <c>\\</c>, <c>\DDD</c> escapes). A missing final dot is allowed.</summary>
    public static DnsName Parse(string text) =>
        TryParse(text, out var name, out var error) ? name : throw new FormatException($"'{text}': {error}");

    public static bool TryParse(ReadOnlySpan<char> text, out DnsName name, out string? error)
    {
        name = Root;
        Span<byte> buffer = stackalloc byte[WireName.MaxLength + 1];
        if (!TryParseRelative(text, buffer, out int length, out _, out error))
        {
            return false;
        }
        buffer[length++] = 0;
        if (length > WireName.MaxLength)
        {
            error = "name is longer than 255 bytes";
            return false;
        }
        name = length == 1 ? Root : new DnsName(buffer[..length].ToArray());
        return true;
    }

    /// <summary>
    /// Parses presentation form into labels without the root label: used by zone files, which append
    /// the origin to names without a final dot. <paramref name="absolute"/> says whether the text ended in a dot.
    /// </summary>
    public static bool TryParseRelative(ReadOnlySpan<char> text, Span<byte> destination, out int length, out bool absolute, out string? error)
    {
        length = 0;
        absolute = false;
        error = null;
        if (text.Length == 0)
        {
            error = "empty name";
            return false;
        }
        if (text is ".")
        {
            absolute = true;
            return true;
        }
        int labelStart = 0;
        int position = 1;
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '.')
            {
                int labelLength = position - labelStart - 1;
                if (labelLength == 0)
                {
                    error = "empty label";
                    return false;
                }
                if (labelLength > WireName.MaxLabelLength)
                {
                    error = "label longer than 63 bytes";
                    return false;
                }
                destination[labelStart] = (byte)labelLength;
                labelStart = position;
                position++;
                i++;
                if (i == text.Length)
                {
                    absolute = true;
                }
                continue;
            }
            int value;
            if (c == '\\')
            {
                if (i + 1 >= text.Length)
                {
                    error = "dangling escape";
                    return false;
                }
                if (char.IsAsciiDigit(text[i + 1]))
                {
                    if (i + 3 >= text.Length)
                    {
                        error = "bad \\DDD escape";
                        return false;
                    }
                    if (!char.IsAsciiDigit(text[i + 2]) || !char.IsAsciiDigit(text[i + 3]))
                    {
                        error = "bad \\DDD escape";
                        return false;
                    }
                    value = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
                    if (value > 255)
                    {
                        error = "\\DDD escape above 255";
                        return false;
                    }
                    i += 4;
                }
                else
                {
                    value = text[i + 1];
                    i += 2;
                }
            }
            else
            {
                value = c;
                i++;
            }
            if (value > 0xFF)
            {
                error = "non-ASCII character in name";
                return false;
            }
            if (position >= WireName.MaxLength)
            {
                error = "name is longer than 255 bytes";
                return false;
            }
            destination[position++] = (byte)value;
        }
        if (!absolute)
        {
            int labelLength = position - labelStart - 1;
            if (labelLength > WireName.MaxLabelLength)
            {
                error = "label longer than 63 bytes";
                return false;
            }
            destination[labelStart] = (byte)labelLength;
            length = position;
        }
        else
        {
            length = labelStart;
        }
        return true;
    }

    /// <summary>The name with <paramref name="suffix"/> appended (this name's root label dropped).</summary>
    public bool TryAppend(DnsName suffix, out DnsName result)
    {
        int length = _wire.Length - 1 + suffix._wire.Length;
        if (length > WireName.MaxLength)
        {
            result = Root;
            return false;
        }
        var bytes = new byte[length];
        _wire.AsSpan(0, _wire.Length - 1).CopyTo(bytes);
        suffix._wire.CopyTo(bytes.AsSpan(_wire.Length - 1));
        result = new DnsName(bytes);
        return true;
    }

    public DnsName Append(DnsName suffix) =>
        TryAppend(suffix, out var result) ? result : throw new FormatException("name is longer than 255 bytes");

    /// <summary>A new name with one more label in front.</summary>
    public DnsName Prepend(string label)
    {
        var labelName = Parse(label.Replace(".", "\\.", StringComparison.Ordinal));
        return labelName.Append(this);
    }

    /// <summary>The name without its first label; the root's parent is the root.</summary>
    public DnsName Parent() => IsRoot || _wire[0] + 2 == _wire.Length ? Root : new DnsName(_wire.AsSpan(_wire[0] + 1).ToArray());

    /// <summary>The label at <paramref name="index"/> (0 is the leftmost), raw bytes.</summary>
    public ReadOnlySpan<byte> GetLabel(int index)
    {
        int offset = WireName.SkipLabels(_wire, index);
        return _wire.AsSpan(offset + 1, _wire[offset]);
    }

    public bool IsSubdomainOf(DnsName zone) => WireName.IsSubdomainOf(_wire, zone._wire);

    /// <summary>This name lower-cased (ASCII).</summary>
    public DnsName ToLower()
    {
        var bytes = new byte[_wire.Length];
        WireName.CopyLower(_wire, bytes);
        return new DnsName(bytes);
    }

    public bool Equals(DnsName? other) => other is not null && WireName.EqualsIgnoreCase(_wire, other._wire);

    public override bool Equals(object? obj) => obj is DnsName other && Equals(other);

    public override int GetHashCode() => WireName.GetHashCodeIgnoreCase(_wire);

    /// <summary>Canonical DNS order (RFC 4034 §6.1): by labels from the right, case-insensitive.</summary>
    public int CompareTo(DnsName? other)
    {
        if (other is null)
        {
            return 1;
        }
        int a = LabelCount, b = other.LabelCount;
        for (int i = 1; i <= Math.Min(a, b); i++)
        {
            var la = GetLabel(a - i);
            var lb = other.GetLabel(b - i);
            int n = Math.Min(la.Length, lb.Length);
            for (int j = 0; j < n; j++)
            {
                int cmp = WireName.ToLower(la[j]).CompareTo(WireName.ToLower(lb[j]));
                if (cmp != 0)
                {
                    return cmp;
                }
            }
            if (la.Length != lb.Length)
            {
                return la.Length.CompareTo(lb.Length);
            }
        }
        return a.CompareTo(b);
    }

    public static bool operator ==(DnsName? a, DnsName? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(DnsName? a, DnsName? b) => !(a == b);

    /// <summary>Presentation form with a final dot and escapes for special and non-printable bytes.</summary>
    public override string ToString() => Format(_wire);

    /// <summary>Presentation form of an uncompressed wire name.</summary>
    public static string Format(ReadOnlySpan<byte> wire)
    {
        if (wire.Length <= 1)
        {
            return ".";
        }
        var text = new StringBuilder(wire.Length + 4);
        int i = 0;
        while (i < wire.Length && wire[i] != 0)
        {
            int length = wire[i++];
            for (int end = i + length; i < end && i < wire.Length; i++)
            {
                AppendEscaped(text, wire[i]);
            }
            text.Append('.');
        }
        return text.ToString();
    }

    private static void AppendEscaped(StringBuilder text, byte b)
    {
        switch (b)
        {
            case (byte)'.' or (byte)'\\' or (byte)'"' or (byte)'(' or (byte)')' or (byte)';' or (byte)'@' or (byte)'$':
                text.Append('\\').Append((char)b);
                break;
            case < 0x21 or > 0x7E:
                text.Append('\\').Append(b.ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
                break;
            default:
                text.Append((char)b);
                break;
        }
    }
}
