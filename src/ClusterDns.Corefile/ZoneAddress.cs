using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ClusterDns.Corefile;

/// <summary>
/// One zone a server block serves, with its transport: "[dns://]ZONE[:PORT]". <see cref="Port"/> is null when
/// the key names none (the server's default port applies).
/// </summary>
public sealed record ZoneAddress(string Zone, int? Port, string Scheme = ZoneAddress.DnsScheme)
{
    public const string DnsScheme = "dns";

    /// <summary>CoreDNS's default port, used when a key names none.</summary>
    public const int DefaultPort = 53;

    private static readonly string[] s_unsupportedSchemes = ["tls", "https", "grpc", "quic", "https3"];

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
                error = $"scheme '{scheme}://' in '{key}' is not supported yet (only dns:// is)";
                return false;
            }

            if (scheme != DnsScheme)
            {
                error = $"unknown scheme '{scheme}://' in '{key}'";
                return false;
            }

            rest = key[(schemeEnd + 3)..];
        }

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
            result[i] = new ZoneAddress(zones[i], port);
        }

        addresses = result;
        return true;
    }

    /// <summary>"zone:port" with the default port filled in, the identity two server blocks may not share.</summary>
    public string ZoneAndPort => $"{Zone}:{(Port ?? DefaultPort).ToString(CultureInfo.InvariantCulture)}";

    public override string ToString() =>
        Port is int p ? $"{Scheme}://{Zone}:{p.ToString(CultureInfo.InvariantCulture)}" : $"{Scheme}://{Zone}";
}
