using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace ClusterDns.Corefile;

/// <summary>Listen/peer addresses as CoreDNS plugins write them: "1.2.3.4", "1.2.3.4:53", "::1", "[::1]:53",
/// ":9153" (any address).</summary>
internal static class EndpointSyntax
{
    public static bool TryParse(string text, int defaultPort, [NotNullWhen(true)] out IPEndPoint? endPoint, [NotNullWhen(false)] out string? error)
    {
        endPoint = null;
        string host;
        string? portText = null;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']');
            if (close < 0)
            {
                error = $"'{text}' is missing ']'";
                return false;
            }

            host = text[1..close];
            string rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    error = $"'{text}' is not an address (expected [IPv6]:port)";
                    return false;
                }

                portText = rest[1..];
            }
        }
        else
        {
            int colon = text.IndexOf(':');
            if (colon >= 0 && colon == text.LastIndexOf(':'))
            {
                host = text[..colon];
                portText = text[(colon + 1)..];
            }
            else
            {
                // No colon, or several: a bare IPv6 address without a port.
                host = text;
            }
        }

        int port = defaultPort;
        if (portText is not null && !TryParsePort(portText, out port))
        {
            error = $"'{text}' has an invalid port '{portText}' (expected 0-65535)";
            return false;
        }

        IPAddress? address;
        if (host.Length == 0)
        {
            // ":9153" means every address; the listener should bind dual-stack when it can.
            address = IPAddress.IPv6Any;
        }
        else if ((!host.Contains(':') && host.Count(c => c == '.') != 3) || !IPAddress.TryParse(host, out address))
        {
            error = $"'{host}' is not an IP address";
            return false;
        }

        if (host.Contains('%'))
        {
            error = $"'{host}' is not an IP address (zone indexes are not supported)";
            return false;
        }

        endPoint = new IPEndPoint(address, port);
        error = null;
        return true;
    }

    private static bool TryParsePort(string text, out int port)
    {
        port = 0;
        return text.Length is > 0 and <= 5 && text.All(char.IsAsciiDigit)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535;
    }
}
