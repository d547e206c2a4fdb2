using System.Collections.Concurrent;

namespace ClusterDns.Server.Pipeline;

/// <summary>
/// Reusable query contexts (each holds a 64 KiB buffer). A receive loop keeps one context while answers
/// complete synchronously and only rents another when a query goes asynchronous (forwarding).
/// </summary>
public sealed class QueryContextPool
{
    private readonly ConcurrentQueue<DnsQueryContext> _free = new();
    private readonly int _maxUdpSize;
    private int _retained;

    public QueryContextPool(int maxUdpSize, int maxRetained = 4096)
    {
        _maxUdpSize = maxUdpSize;
        MaxRetained = maxRetained;
    }

    public int MaxRetained { get; }

    public DnsQueryContext Rent()
    {
        if (_free.TryDequeue(out var context))
        {
            Interlocked.Decrement(ref _retained);
            return context;
        }
        return new DnsQueryContext { MaxUdpSize = _maxUdpSize };
    }

    public void Return(DnsQueryContext context)
    {
        // Beyond the bound, let the GC take bursts' extra contexts back.
        if (Interlocked.Increment(ref _retained) <= MaxRetained)
        {
            _free.Enqueue(context);
        }
        else
        {
            Interlocked.Decrement(ref _retained);
        }
    }
}
