using System.Net;

namespace ClusterDns.Server.Plugins.Forward;

/// <summary>One upstream as configured: its address and whether it speaks DNS over TLS (RFC 7858).</summary>
internal sealed record UpstreamAddress(IPEndPoint EndPoint, bool Tls)
{
    public const int DnsPort = 53;
    public const int TlsPort = 853;

    /// <summary>The <c>to</c> label of CoreDNS's proxy metrics: "1.2.3.4:53" or "tls://1.2.3.4:853".</summary>
    public override string ToString() => Tls ? "tls://" + EndPoint : EndPoint.ToString();
}
