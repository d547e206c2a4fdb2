namespace ClusterDns.Server.Listeners;

/// <summary>Bounds of a DNS-over-HTTPS listener (CoreDNS's <c>https</c> options and its HTTP server's timeouts).</summary>
public sealed record DohListenerOptions
{
    /// <summary>Open connections at most (0: unbounded); further ones wait in the accept queue.</summary>
    public int MaxConnections { get; init; } = 200;

    /// <summary>Concurrent HTTP/2 streams per connection (0: unbounded).</summary>
    public int MaxStreams { get; init; } = 100;

    /// <summary>The TLS handshake and the request headers must arrive within this (CoreDNS: 5 s read timeout).</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>An idle keep-alive connection is closed after this (CoreDNS: 120 s).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(120);
}
