namespace ClusterDns.Server.Listeners;

/// <summary>RFC 7766 connection handling limits (the <c>timeouts</c> plugin sets the first four per server block).</summary>
public sealed record TcpListenerOptions
{
    /// <summary>A new connection's first query, and any query once its first byte came, must arrive within this.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>An answer must be taken by the client within this, or the connection is closed.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A connection with no further query for this long after an answer is closed (CoreDNS's default idle timeout is 10 s).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Queries one connection may send before it is closed, to share the server fairly (0: no limit).</summary>
    public int MaxQueriesPerConnection { get; init; }

    /// <summary>Connections beyond this many are closed at once.</summary>
    public int MaxConnections { get; init; } = 1000;

    /// <summary>Queries of one connection answered concurrently (pipelining); further ones wait their turn.</summary>
    public int MaxInFlightPerConnection { get; init; } = 16;
}
