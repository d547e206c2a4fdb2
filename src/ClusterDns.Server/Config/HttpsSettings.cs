namespace ClusterDns.Server.Config;

/// <summary>
/// Limits of a DNS-over-HTTPS port: CoreDNS's <c>https { max_connections N; max_streams N }</c> (0: unbounded) and
/// our bounds on what a request may carry. A record, so a reload that changes them reopens the port.
/// </summary>
public sealed record HttpsSettings
{
    /// <summary>CoreDNS's defaults: 200 connections, 100 concurrent HTTP/2 streams per connection.</summary>
    public static HttpsSettings Default { get; } = new();

    public int MaxConnections { get; init; } = 200;

    public int MaxStreams { get; init; } = 100;
}
