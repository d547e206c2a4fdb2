using System.Net;
using System.Net.Sockets;

namespace ClusterDns.Corefile;

/// <summary>
/// Turns a zone as written in a Corefile into canonical zone names: lower-case, fully qualified (trailing dot,
/// "." for the root). A CIDR ("10.0.0.0/8", "fd00::/64") becomes its reverse zone; a prefix that is not on an
/// octet (IPv4) or nibble (IPv6) boundary becomes every zone covering it, as CoreDNS does.
/// </summary>
public static class ZoneNames
{
    private const int MaxNameOctets = 255;
    private const int MaxLabelOctets = 63;

    /// <summary>The canonical zone names for <paramref name="text"/>; <see cref="FormatException"/> for garbage.</summary>
    public static IReadOnlyList<string> Normalize(string text) =>
        TryNormalize(text, out var zones, out string? error) ? zones : throw new FormatException(error);

    public static bool TryNormalize(string text, out IReadOnlyList<string> zones, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        zones = [];
        if (text.Contains('/'))
        {
            return TryExpandCidr(text, out zones, out error);
        }

        if (!TryNormalizeName(text, out string name, out error))
        {
            return false;
        }

        zones = [name];
        return true;
    }

    /// <summary>Lower-cases and fully qualifies one domain name, checking label and name lengths.</summary>
    internal static bool TryNormalizeName(string text, out string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        name = string.Empty;
        if (text.Length == 0)
        {
            error = "zone name is empty";
            return false;
        }

        if (text == ".")
        {
            name = ".";
            error = null;
            return true;
        }

        string lower = text.ToLowerInvariant();
        string bare = lower.EndsWith('.') ? lower[..^1] : lower;
        // Wire length: one length octet per label plus the root octet.
        if (bare.Length + 2 > MaxNameOctets)
        {
            error = $"'{text}' is not a valid zone name: longer than {MaxNameOctets} octets";
            return false;
        }

        foreach (string label in bare.Split('.'))
        {
            if (label.Length == 0)
            {
                error = $"'{text}' is not a valid zone name: empty label";
                return false;
            }

            if (label.Length > MaxLabelOctets)
            {
                error = $"'{text}' is not a valid zone name: label '{label}' is longer than {MaxLabelOctets} characters";
                return false;
            }

            foreach (char c in label)
            {
                if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
                {
                    error = $"'{text}' is not a valid zone name: character '{c}' is not allowed";
                    return false;
                }
            }
        }

        name = bare + ".";
        error = null;
        return true;
    }

    private static bool TryExpandCidr(string text, out IReadOnlyList<string> zones, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        zones = [];
        int slash = text.IndexOf('/');
        string addressText = text[..slash];
        string prefixText = text[(slash + 1)..];
        bool looksV4 = addressText.Count(c => c == '.') == 3 && !addressText.Contains(':');
        bool looksV6 = addressText.Contains(':') && !addressText.Contains('%');
        if ((!looksV4 && !looksV6) || !IPAddress.TryParse(addressText, out IPAddress? address))
        {
            error = $"'{text}' is not a valid CIDR: '{addressText}' is not an IP address";
            return false;
        }

        int bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefixText.Length == 0 || prefixText.Length > 3 || !prefixText.All(char.IsAsciiDigit)
            || int.Parse(prefixText, System.Globalization.CultureInfo.InvariantCulture) > bits)
        {
            error = $"'{text}' is not a valid CIDR: prefix length must be 0 to {bits}";
            return false;
        }

        int prefix = int.Parse(prefixText, System.Globalization.CultureInfo.InvariantCulture);
        zones = bits == 32 ? ReverseZones(address.GetAddressBytes(), prefix, 8, "in-addr.arpa.")
                           : ReverseZones(Nibbles(address.GetAddressBytes()), prefix, 4, "ip6.arpa.");
        error = null;
        return true;
    }

    /// <summary>
    /// Reverse zones covering the network: <paramref name="digits"/> are the address's octets (step 8) or
    /// nibbles (step 4); the prefix is rounded up to a whole digit and every value of the extra bits listed.
    /// </summary>
    private static List<string> ReverseZones(byte[] digits, int prefix, int step, string suffix)
    {
        int wholeDigits = (prefix + step - 1) / step;
        int spareBits = wholeDigits * step - prefix;
        var zones = new List<string>(1 << spareBits);
        if (wholeDigits == 0)
        {
            zones.Add(suffix);
            return zones;
        }

        int lastMask = ~((1 << step - (prefix - (wholeDigits - 1) * step)) - 1) & ((1 << step) - 1);
        int lastBase = digits[wholeDigits - 1] & lastMask;
        for (int extra = 0; extra < 1 << spareBits; extra++)
        {
            var labels = new List<string>(wholeDigits + 1);
            labels.Add(FormatDigit(lastBase + extra, step));
            for (int i = wholeDigits - 2; i >= 0; i--)
            {
                labels.Add(FormatDigit(digits[i], step));
            }

            labels.Add(suffix);
            zones.Add(string.Join('.', labels));
        }

        return zones;
    }

    private static string FormatDigit(int value, int step) =>
        step == 8 ? value.ToString(System.Globalization.CultureInfo.InvariantCulture) : value.ToString("x", System.Globalization.CultureInfo.InvariantCulture);

    private static byte[] Nibbles(byte[] bytes)
    {
        var nibbles = new byte[bytes.Length * 2];
        for (int i = 0; i < bytes.Length; i++)
        {
            nibbles[2 * i] = (byte)(bytes[i] >> 4);
            nibbles[2 * i + 1] = (byte)(bytes[i] & 0xF);
        }

        return nibbles;
    }
}
