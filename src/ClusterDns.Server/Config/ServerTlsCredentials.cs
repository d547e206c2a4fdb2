using System.Net.Security;

namespace ClusterDns.Server.Config;

/// <summary>
/// The server side of TLS for a <c>tls://</c> or <c>https://</c> port (the <c>tls</c> plugin provides it). Read once
/// per connection, so certificates rotated on disk serve new connections without a restart; connections already
/// open keep the certificate they began with.
/// </summary>
public interface IServerTlsCredentials
{
    /// <summary>Options for a DNS-over-TLS handshake (ALPN <c>dot</c>).</summary>
    SslServerAuthenticationOptions ForDot { get; }

    /// <summary>Options for a DNS-over-HTTPS handshake (ALPN <c>h2</c>, <c>http/1.1</c>).</summary>
    SslServerAuthenticationOptions ForDoh { get; }

    /// <summary>Changes whenever the credentials are replaced (reload compares it).</summary>
    string Identity { get; }
}
