using System.Net;

namespace ClusterDns.Kubernetes.Conversion;

/// <summary>
/// Parses an IP literal as Kubernetes writes it. Stricter than IPAddress.TryParse, which also takes
/// "10" or "10.1" as IPv4 shorthand and scope ids — none of which are valid in an object.
/// </summary>
internal static class IPAddressParser
{
    public static bool TryParse(string? text, out IPAddress address)
    {
        address = IPAddress.None;
        if (string.IsNullOrEmpty(text) || text.Contains('%') || !IPAddress.TryParse(text, out var parsed))
        {
            return false;
        }

        if (!text.Contains(':') && !IsDottedQuad(text))
        {
            return false;
        }

        address = parsed;
        return true;
    }

    private static bool IsDottedQuad(string text)
    {
        var parts = 0;
        var digits = 0;
        foreach (var c in text)
        {
            if (c == '.')
            {
                if (digits == 0) return false;
                parts++;
                digits = 0;
            }
            else if (char.IsAsciiDigit(c))
            {
                if (++digits > 3) return false;
            }
            else
            {
                return false;
            }
        }

        return parts == 3 && digits > 0;
    }
}
