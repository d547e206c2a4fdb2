namespace ClusterDns.Server.Listeners;

/// <summary>RFC 7766 connection handling limits.</summary>
public sealed record TcpListenerOptions
{
    /// <summary>A connection with no complete query for this long is closed (CoreDNS's default idle timeout is 10 s).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Connections beyond this many are closed at once.</summary>
    public int MaxConnections { get; init; } = 1000;

    /// <summary>Queries of one connection answered concurrently (pipelining); further ones wait their turn.</summary>
    public int MaxInFlightPerConnection { get; init; } = 16;

    /// <summary>Queries one connection may send before it is closed, to share the server fairly (0: no limit).</summary>
    public int MaxQueriesPerConnection { get; init; }
}
