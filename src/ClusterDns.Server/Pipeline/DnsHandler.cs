using ClusterDns.Protocol;

namespace ClusterDns.Server.Pipeline;

/// <summary>
/// One link of a server block's handler chain: serve the query, or pass it to <see cref="Next"/>.
/// Handlers that answer from memory complete synchronously (a completed <see cref="ValueTask{T}"/> costs
/// nothing); only handlers that wait on the network really go asynchronous.
/// </summary>
public abstract class DnsHandler
{
    /// <summary>The plugin name, as in the Corefile (also the <c>plugin</c> label of metrics).</summary>
    public abstract string Name { get; }

    public DnsHandler? Next { get; internal set; }

    public abstract ValueTask<HandlerResult> ServeAsync(DnsQueryContext context);

    /// <summary>Passes the query on; at the end of the chain that is SERVFAIL, as CoreDNS's NextOrFailure.</summary>
    protected ValueTask<HandlerResult> NextAsync(DnsQueryContext context) =>
        Next is { } next ? next.ServeAsync(context) : new ValueTask<HandlerResult>(HandlerResult.NotWritten(ResponseCode.ServFail));
}
