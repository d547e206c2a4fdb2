namespace ClusterDns.Server.Pipeline;

/// <summary>Sees every finished query (metrics). Called on the query path: must not block or allocate.</summary>
public interface IQueryObserver
{
    void OnQueryCompleted(DnsQueryContext context, Protocol.ResponseCode rcode);

    /// <summary>A handler threw: a bug, answered SERVFAIL (coredns_panics_total).</summary>
    void OnHandlerFault(DnsQueryContext context);
}

/// <summary>The observer used when metrics are off.</summary>
public sealed class NullQueryObserver : IQueryObserver
{
    public static readonly NullQueryObserver Instance = new();

    public void OnQueryCompleted(DnsQueryContext context, Protocol.ResponseCode rcode)
    {
    }

    public void OnHandlerFault(DnsQueryContext context)
    {
    }
}
