using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ClusterDns.Corefile;

/// <summary>
/// One zone a server block serves, with its transport: "[dns://|tls://|https://]ZONE[:PORT]". <see cref="Port"/> is
/// null when the key names none (the transport's default port applies: 53, 853 or 443).
/// </summary>
public sealed record ZoneAddress(string Zone, int? Port, string Scheme = ZoneAddress.DnsScheme)
{
    public const string DnsScheme = "dns";

    /// <summary>DNS over TLS (RFC 7858).</summary>
    public const string TlsScheme = "tls";

    /// <summary>DNS over HTTPS (RFC 8484).</summary>
    public const string HttpsScheme = "https";

    /// <summary>CoreDNS's default port, used when a key names none.</summary>
    public const int DefaultPort = 53;

    private static readonly string[] s_unsupportedSchemes = ["grpc", "quic", "https3"];

    /// <summary>The port a key of <paramref name="scheme"/> gets when it names none (CoreDNS's transport defaults).</summary>
    public static int DefaultPortFor(string scheme) => scheme switch
    {
        TlsScheme => 853,
        HttpsScheme => 443,
        _ => DefaultPort,
    };

    /// <summary>The addresses a key denotes (several for a CIDR off an octet/nibble boundary);
    /// <see cref="FormatException"/> with a clear reason for a bad key.</summary>
    public static IReadOnlyList<ZoneAddress> Parse(string key) =>
        TryParse(key, out var addresses, out string? error) ? addresses : throw new FormatException(error);

    public static bool TryParse(string key, out IReadOnlyList<ZoneAddress> addresses, [NotNullWhen(false)] out string? error)
    {
        addresses = [];
        string rest = key;
        int schemeEnd = key.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            string scheme = key[..schemeEnd].ToLowerInvariant();
            if (Array.IndexOf(s_unsupportedSchemes, scheme) >= 0)
            {
                error = $"scheme '{scheme}://' in '{key}' is not supported yet (only dns://, tls:// and https:// are)";
                return false;
            }

            if (scheme is not (DnsScheme or TlsScheme or HttpsScheme))
            {
                error = $"unknown scheme '{scheme}://' in '{key}'";
                return false;
            }

            rest = key[(schemeEnd + 3)..];
        }

        string transport = schemeEnd >= 0 ? key[..schemeEnd].ToLowerInvariant() : DnsScheme;
        int? port = null;
        // A trailing ":digits" is the port; an IPv6 CIDR has its colons before the "/", so it is never mistaken.
        int colon = rest.LastIndexOf(':');
        if (colon == rest.Length - 1 && colon >= 0)
        {
            error = $"expected a port after ':' in '{key}'";
            return false;
        }

        if (colon >= 0 && rest.AsSpan(colon + 1).IndexOfAnyExceptInRange('0', '9') < 0)
        {
            string portText = rest[(colon + 1)..];
            if (portText.Length > 5 || int.Parse(portText, CultureInfo.InvariantCulture) > 65535)
            {
                error = $"port '{portText}' in '{key}' is out of range (0-65535)";
                return false;
            }

            port = int.Parse(portText, CultureInfo.InvariantCulture);
            rest = rest[..colon];
        }

        if (rest.Length == 0)
        {
            error = $"'{key}' names no zone (use '.' for the root)";
            return false;
        }

        if (!ZoneNames.TryNormalize(rest, out var zones, out error))
        {
            return false;
        }

        var result = new ZoneAddress[zones.Count];
        for (int i = 0; i < zones.Count; i++)
        {
            result[i] = new ZoneAddress(zones[i], port, transport);
        }

        addresses = result;
        return true;
    }

    /// <summary>"zone:port" with the default port filled in, the identity two server blocks may not share.</summary>
    public string ZoneAndPort => $"{Zone}:{(Port ?? DefaultPortFor(Scheme)).ToString(CultureInfo.InvariantCulture)}";

    public override string ToString() =>
        Port is int p ? $"{Scheme}://{Zone}:{p.ToString(CultureInfo.InvariantCulture)}" : $"{Scheme}://{Zone}";
}
