using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ClusterDns.Server.Plugins.Forward;

/// <summary>
/// One upstream as configured: its address and transport. <see cref="Tls"/> is DNS over TLS (RFC 7858);
/// a non-null <see cref="HttpsPath"/> is DNS over HTTPS (RFC 8484); neither is plain DNS.
/// </summary>
internal sealed record UpstreamAddress(IPEndPoint EndPoint, bool Tls)
{
    public const int DnsPort = 53;
    public const int TlsPort = 853;
    public const int HttpsPort = 443;
    public const string DefaultHttpsPath = "/dns-query";

    /// <summary>The name this upstream's certificate must carry, from <c>tls://IP%NAME</c>; null: forward's <c>tls_servername</c>.</summary>
    public string? ServerName { get; init; }

    /// <summary>The path of a DNS over HTTPS upstream (<c>https://HOST/dns-query</c>); null for DNS and DoT.</summary>
    public string? HttpsPath { get; init; }

    /// <summary>The host name of an <c>https://HOST</c> upstream (the URL's host, SNI, the certificate's name); null for an IP.</summary>
    public string? HttpsHost { get; init; }

    public bool Https => HttpsPath is not null;

    /// <summary>Spoken over an encrypted stream (TLS or HTTPS): never over UDP, never truncated-and-retried.</summary>
    public bool Encrypted => Tls || Https;

    /// <summary>The <c>proto</c> label of CoreDNS's connection cache metrics.</summary>
    public string Protocol => Https ? "https" : Tls ? "tcp-tls" : "tcp";

    /// <summary>The name checked in the upstream's certificate and sent as SNI when no <c>tls_servername</c> applies.</summary>
    public string DefaultServerName => HttpsHost ?? EndPoint.Address.ToString();

    /// <summary>The URL a DoH query goes to; <paramref name="serverName"/> is its host (Host header, SNI), the connection goes to <see cref="EndPoint"/>.</summary>
    public string HttpsUrl(string serverName)
    {
        string host = IPAddress.TryParse(serverName, out var literal) && literal.AddressFamily == AddressFamily.InterNetworkV6
            ? "[" + literal + "]"
            : serverName;
        return "https://" + host + ":" + EndPoint.Port.ToString(CultureInfo.InvariantCulture) + HttpsPath;
    }

    /// <summary>How the upstream is named in logs: "1.2.3.4:53", "tls://1.2.3.4:853", "https://dns.example:443/dns-query".</summary>
    public override string ToString() =>
        Https ? "https://" + (HttpsHost is null ? EndPoint.ToString() : HttpsHost + ":" + EndPoint.Port.ToString(CultureInfo.InvariantCulture)) + HttpsPath
        : Tls ? "tls://" + EndPoint + (ServerName is null ? "" : "%" + ServerName)
        : EndPoint.ToString();
}
