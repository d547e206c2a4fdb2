using System.Globalization;
using System.Text;

namespace ClusterDns.Protocol.Text;

/// <summary>
/// Presentation-format pieces shared by RDATA parsing and the zone file reader (RFC 1035 §5.1):
/// names relative to an origin, &lt;character-string&gt;s with escapes, numbers, hex.
/// Fields arrive raw, as written in the text: quotes kept, escapes not yet applied.
/// </summary>
internal static class PresentationText
{
    /// <summary>"@" is the origin; a name without a final dot gets the origin appended.</summary>
    public static bool TryParseName(string field, DnsName? origin, out DnsName name, out string error)
    {
        name = DnsName.Root;
        error = "";
        if (field == "@")
        {
            if (origin is null)
            {
                error = "'@' used with no origin";
                return false;
            }
            name = origin;
            return true;
        }
        Span<byte> buffer = stackalloc byte[WireName.MaxLength + 1];
        if (!DnsName.TryParseRelative(field, buffer, out int length, out bool absolute, out string? parseError))
        {
            error = $"bad name '{field}': {parseError}";
            return false;
        }
        if (!absolute)
        {
            if (origin is null)
            {
                error = $"relative name '{field}' with no origin";
                return false;
            }
            if (length + origin.WireLength > WireName.MaxLength)
            {
                error = $"name '{field}' is longer than 255 bytes with the origin '{origin}' appended";
                return false;
            }
            origin.Wire.CopyTo(buffer[length..]);
            name = DnsName.FromWire(buffer[..(length + origin.WireLength)]);
            return true;
        }
        buffer[length] = 0;
        name = DnsName.FromWire(buffer[..(length + 1)]);
        return true;
    }

    /// <summary>A &lt;character-string&gt;, quoted or bare, with <c>\X</c> and <c>\DDD</c> escapes; at most 255 bytes.</summary>
    public static bool TryParseCharacterString(string field, out byte[] bytes, out string error)
    {
        if (!TryUnescape(field, out bytes, out error))
        {
            return false;
        }
        if (bytes.Length > 255)
        {
            error = $"character-string of {bytes.Length} bytes is longer than 255";
            return false;
        }
        return true;
    }

    /// <summary>Removes surrounding quotes and applies escapes; characters above ASCII become UTF-8.</summary>
    public static bool TryUnescape(string field, out byte[] bytes, out string error)
    {
        bytes = [];
        error = "";
        var text = field.AsSpan();
        if (text.Length > 0 && text[0] == '"')
        {
            if (text.Length < 2 || text[^1] != '"' || IsEscaped(text, text.Length - 1))
            {
                error = $"unterminated quoted string {field}";
                return false;
            }
            text = text[1..^1];
        }
        var result = new List<byte>(text.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\\')
            {
                if (i + 1 >= text.Length)
                {
                    error = $"dangling escape in {field}";
                    return false;
                }
                if (char.IsAsciiDigit(text[i + 1]))
                {
                    if (i + 3 >= text.Length
                        || !char.IsAsciiDigit(text[i + 2]) || !char.IsAsciiDigit(text[i + 3]))
                    {
                        error = $"bad \\DDD escape in {field}";
                        return false;
                    }
                    int value = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
                    if (value > 255)
                    {
                        error = $"\\DDD escape above 255 in {field}";
                        return false;
                    }
                    result.Add((byte)value);
                    i += 3;
                    continue;
                }
                c = text[++i];
            }
            if (c < 0x80)
            {
                result.Add((byte)c);
            }
            else
            {
                int count = Encoding.UTF8.GetBytes(text.Slice(i, char.IsHighSurrogate(c) && i + 1 < text.Length ? 2 : 1), utf8);
                if (char.IsHighSurrogate(c) && i + 1 < text.Length)
                {
                    i++;
                }
                for (int k = 0; k < count; k++)
                {
                    result.Add(utf8[k]);
                }
            }
        }
        bytes = result.ToArray();
        return true;
    }

    private static bool IsEscaped(ReadOnlySpan<char> text, int index)
    {
        int backslashes = 0;
        for (int i = index - 1; i >= 0 && text[i] == '\\'; i--)
        {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    /// <summary>Quoted presentation form: <c>"</c> and <c>\</c> escaped, bytes outside printable ASCII as <c>\DDD</c>.</summary>
    public static void AppendCharacterString(StringBuilder text, ReadOnlySpan<byte> bytes)
    {
        text.Append('"');
        foreach (byte b in bytes)
        {
            if (b is (byte)'"' or (byte)'\\')
            {
                text.Append('\\').Append((char)b);
            }
            else if (b < 0x20 || b > 0x7E)
            {
                text.Append('\\').Append(b.ToString("D3", CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append((char)b);
            }
        }
        text.Append('"');
    }

    public static bool TryParseUInt16(string field, string what, out ushort value, out string error)
    {
        error = "";
        if (ushort.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }
        error = $"bad {what} '{field}': expected an integer 0-65535";
        return false;
    }

    public static bool TryParseByte(string field, string what, out byte value, out string error)
    {
        error = "";
        if (byte.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }
        error = $"bad {what} '{field}': expected an integer 0-255";
        return false;
    }

    public static bool TryParseUInt32(string field, string what, out uint value, out string error)
    {
        error = "";
        if (uint.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }
        error = $"bad {what} '{field}': expected an integer 0-4294967295";
        return false;
    }

    /// <summary>A time in seconds, plain or with BIND units (<c>1h30m</c>, <c>2d</c>, <c>1w</c>; s m h d w, any case).</summary>
    public static bool TryParseTime(string field, string what, out uint seconds, out string error)
    {
        seconds = 0;
        error = $"bad {what} '{field}': expected seconds or a BIND duration such as 1h30m";
        if (field.Length == 0 || !char.IsAsciiDigit(field[0]))
        {
            return false;
        }
        ulong total = 0;
        ulong number = 0;
        bool inNumber = false;
        bool sawUnit = false;
        foreach (char c in field)
        {
            if (char.IsAsciiDigit(c))
            {
                number = number * 10 + (ulong)(c - '0');
                inNumber = true;
                if (number > uint.MaxValue)
                {
                    return false;
                }
                continue;
            }
            ulong unit = char.ToLowerInvariant(c) switch
            {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86400,
                'w' => 604800,
                _ => 0,
            };
            if (unit == 0 || !inNumber)
            {
                return false;
            }
            total += number * unit;
            number = 0;
            inNumber = false;
            sawUnit = true;
        }
        if (inNumber)
        {
            // A trailing bare number: plain seconds alone, or seconds after units as BIND allows ("1h30").
            total += number;
        }
        else if (!sawUnit)
        {
            return false;
        }
        if (total > uint.MaxValue)
        {
            return false;
        }
        seconds = (uint)total;
        error = "";
        return true;
    }

    public static bool TryParseHex(ReadOnlySpan<char> hex, out byte[] bytes)
    {
        bytes = [];
        if (hex.Length % 2 != 0)
        {
            return false;
        }
        var result = new byte[hex.Length / 2];
        for (int i = 0; i < result.Length; i++)
        {
            int high = HexValue(hex[2 * i]), low = HexValue(hex[2 * i + 1]);
            if (high < 0 || low < 0)
            {
                return false;
            }
            result[i] = (byte)((high << 4) | low);
        }
        bytes = result;
        return true;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
