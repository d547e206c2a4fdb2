namespace ClusterDns.Server.Pipeline;

/// <summary>
/// The connection a query came in on, for a handler that answers with more than one message (a zone transfer,
/// RFC 5936 §2.2): each message is sent whole, framed, in order, before the next is written. Only stream
/// transports have one; a UDP query's <see cref="DnsQueryContext.ResponseStream"/> is null.
/// </summary>
public interface IResponseStream
{
    /// <summary>
    /// Sends one whole message and returns once the connection has taken it (the caller may then reuse the
    /// bytes). False when the peer did not take it within the listener's write timeout or went away: the
    /// connection is then closed, and the handler stops writing.
    /// </summary>
    ValueTask<bool> SendAsync(ReadOnlyMemory<byte> message);
}
