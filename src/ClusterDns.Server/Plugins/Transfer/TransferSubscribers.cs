using System.Collections.Concurrent;
using System.Net;

namespace ClusterDns.Server.Plugins.Transfer;

/// <summary>
/// The secondaries a <c>to</c> network (or <c>*</c>) let transfer, by rule: node caches whose addresses are not known
/// when the Corefile is written. An extension of ours (CoreDNS notifies only single <c>to</c> addresses): each gets
/// NOTIFY on <see cref="NotifyPort"/> when the zone changes, until it has not transferred for <see cref="Forget"/>.
/// Bounded, so clients allowed by <c>*</c> cannot make the set grow without end. The address was seen over TCP
/// (a completed handshake), so it cannot be spoofed to aim NOTIFYs elsewhere.
/// </summary>
internal sealed class TransferSubscribers
{
    /// <summary>More than any cluster's nodes; beyond it the oldest are forgotten first.</summary>
    public const int MaxSubscribers = 20_000;

    /// <summary>A secondary refreshes at least every SOA refresh (2 h for the cluster zone): one day without a transfer means it is gone.</summary>
    public static readonly TimeSpan Forget = TimeSpan.FromDays(1);

    private readonly ConcurrentDictionary<(TransferRule Rule, IPAddress Address), long> _seen = new();

    /// <summary>Where subscribers listen for NOTIFY: the DNS port (tests on loopback set their own).</summary>
    public int NotifyPort { get; set; } = TransferSetup.DefaultPort;

    public int Count => _seen.Count;

    public void Note(TransferRule rule, IPAddress client)
    {
        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }
        _seen[(rule, client)] = Environment.TickCount64;
        if (_seen.Count > MaxSubscribers)
        {
            var oldest = _seen.MinBy(pair => pair.Value).Key;
            _seen.TryRemove(oldest, out _);
        }
    }

    /// <summary>The subscribers of <paramref name="rule"/> still remembered, as NOTIFY targets; forgets the stale ones.</summary>
    public List<IPEndPoint> TargetsOf(TransferRule rule)
    {
        var targets = new List<IPEndPoint>();
        long now = Environment.TickCount64;
        foreach (var ((owner, address), seen) in _seen)
        {
            if (now - seen > (long)Forget.TotalMilliseconds)
            {
                _seen.TryRemove((owner, address), out _);
            }
            else if (ReferenceEquals(owner, rule))
            {
                targets.Add(new IPEndPoint(address, NotifyPort));
            }
        }
        return targets;
    }
}
