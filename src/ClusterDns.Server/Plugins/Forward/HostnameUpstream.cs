using System.Globalization;
using System.Net;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Forward;

/// <summary>
/// An upstream named by host name (<c>forward . dns.example.local</c>, <c>tls://dns.example:853</c>; CoreDNS 1.14.3;
/// <c>https://dns.example/dns-query</c>): resolved to its addresses at start-up and again every
/// <see cref="ForwardOptions.ResolveInterval"/>.
/// </summary>
internal sealed record HostnameUpstream(DnsName Host, int Port, bool Tls)
{
    /// <summary>The URL path of an <c>https://HOST</c> upstream; null for DNS and DoT.</summary>
    public string? HttpsPath { get; init; }

    /// <summary>"name", "name:port" (after any dns:// or tls:// prefix); false for anything that is not a host name.</summary>
    public static bool TryParse(string text, bool tls, out HostnameUpstream? upstream) =>
        TryParse(text, tls, tls ? UpstreamAddress.TlsPort : UpstreamAddress.DnsPort, out upstream);

    /// <summary>As <see cref="TryParse(string, bool, out HostnameUpstream?)"/>, with <paramref name="port"/> when none is given.</summary>
    public static bool TryParse(string text, bool tls, int port, out HostnameUpstream? upstream)
    {
        upstream = null;
        string host = text;
        int colon = text.LastIndexOf(':');
        if (colon >= 0)
        {
            if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                return false;
            }
            host = text[..colon];
        }
        // A name with a label of letters: "10.0.0.1" and other address forms were refused as addresses already.
        if (host.Length == 0 || IPAddress.TryParse(host, out _) || host.Contains('[') || !host.Any(char.IsLetter)
            || !DnsName.TryParse(host, out var name, out _) || name.Equals(DnsName.Root))
        {
            return false;
        }
        upstream = new HostnameUpstream(name, port, tls);
        return true;
    }

    public UpstreamAddress At(IPAddress address) => HttpsPath is null
        ? new(new IPEndPoint(address, Port), Tls)
        : new(new IPEndPoint(address, Port), Tls: false) { HttpsPath = HttpsPath, HttpsHost = Host.ToString().TrimEnd('.') };

    public override string ToString() =>
        (HttpsPath is not null ? "https://" : Tls ? "tls://" : "") + Host.ToString().TrimEnd('.') + ":" + Port.ToString(CultureInfo.InvariantCulture) + HttpsPath;
}
