using System.Runtime.CompilerServices;

namespace ClusterDns.Server.Pipeline;

/// <summary>
/// Counts the queries received after lameduck saw this replica leave rotation and waited the grace: each one
/// a query kube-proxy still sent here (<c>coredns_lameduck_late_queries_total</c>). Costs one volatile read per
/// query until counting starts.
/// </summary>
public sealed class LateQueryCounter
{
    private int _counting;
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    /// <summary>From now on every query received is late.</summary>
    public void Start() => Volatile.Write(ref _counting, 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void NoteQuery()
    {
        if (Volatile.Read(ref _counting) != 0)
        {
            Interlocked.Increment(ref _count);
        }
    }
}
