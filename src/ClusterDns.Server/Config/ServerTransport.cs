namespace ClusterDns.Server.Config;

/// <summary>How a server block's port is served: the scheme of its keys (<c>dns://</c>, <c>tls://</c>, <c>https://</c>).</summary>
public enum ServerTransport
{
    /// <summary>UDP and TCP (RFC 1035, RFC 7766).</summary>
    Dns,

    /// <summary>DNS over TLS (RFC 7858): TCP framing inside TLS.</summary>
    Tls,

    /// <summary>DNS over HTTPS (RFC 8484): HTTP/2 and HTTP/1.1.</summary>
    Https,
}
