using System.Net;
using ClusterDns.Protocol;
using ClusterDns.Server.Zones;

namespace ClusterDns.Server.Plugins.Secondary;

/// <summary>
/// One zone held as a secondary: the last version transferred (replaced whole after a transfer succeeds, never
/// edited), when it was last confirmed by a primary, and the SOA timers that say when to ask again and when to stop
/// answering (RFC 1035 §3.3.13: refresh, retry, expire). A query reads <see cref="Current"/> once.
/// </summary>
internal sealed class SecondaryZone
{
    private readonly SemaphoreSlim _wake = new(0, 1);
    private Version? _current;
    private long _confirmedAt;
    private long _lastTransferUnixSeconds;

    public SecondaryZone(DnsName origin, IReadOnlyList<IPEndPoint> primaries)
    {
        Origin = origin.ToLower();
        OriginWire = Origin.Wire.ToArray();
        Primaries = primaries;
    }

    /// <summary>
    /// The zone as transferred (the base the next IXFR is applied to, <see cref="AuthoritativeZone.TryApply"/>) and its
    /// SOA record as the primary sent it (the IXFR request carries it). No record set is kept beside the zone.
    /// </summary>
    public sealed record Version(DnsRecord Soa, AuthoritativeZone Zone);

    public DnsName Origin { get; }

    public byte[] OriginWire { get; }

    public IReadOnlyList<IPEndPoint> Primaries { get; }

    /// <summary>Null until the first transfer succeeds.</summary>
    public Version? Current => Volatile.Read(ref _current);

    /// <summary>How long the zone is served without a primary confirming it (the SOA's expire).</summary>
    public TimeSpan Expire => Current is { } current ? Seconds(Soa(current).Expire) : TimeSpan.MaxValue;

    /// <summary>True when no primary has confirmed the zone for longer than its SOA expire: answers are SERVFAIL. Allocates nothing.</summary>
    public bool IsExpired
    {
        get
        {
            var current = Current;
            return current is not null && Environment.TickCount64 - Volatile.Read(ref _confirmedAt) > (long)Soa(current).Expire * 1000;
        }
    }

    /// <summary>Unix time of the last successful transfer or up-to-date check; 0 before the first.</summary>
    public long LastTransferUnixSeconds => Interlocked.Read(ref _lastTransferUnixSeconds);

    public long FullTransfers;
    public long IncrementalTransfers;
    public long UpToDateChecks;
    public long Failures;
    public long NotifiesReceived;
    public long BytesReceived;

    /// <summary>Counts transfer bytes as they arrive (a delegate made once: no allocation per message).</summary>
    public Action<int> CountReceived => _countReceived ??= bytes => Interlocked.Add(ref BytesReceived, bytes);

    private Action<int>? _countReceived;

    /// <summary>The interval to the next check when the last one succeeded (SOA refresh) or failed (SOA retry).</summary>
    public TimeSpan NextCheck(bool succeeded)
    {
        var current = Current;
        if (current is null)
        {
            return SecondaryRefresher.InitialRetry;
        }
        var soa = Soa(current);
        return Seconds(succeeded ? soa.Refresh : soa.Retry);
    }

    /// <summary>A transfer succeeded: serve <paramref name="version"/> from now on.</summary>
    public void Install(Version version)
    {
        Volatile.Write(ref _current, version);
        Confirmed();
    }

    /// <summary>A primary said our version is current: the expire timer starts again.</summary>
    public void Confirmed()
    {
        Volatile.Write(ref _confirmedAt, Environment.TickCount64);
        Interlocked.Exchange(ref _lastTransferUnixSeconds, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    }

    /// <summary>A NOTIFY came: the refresher checks at once (several NOTIFYs before it wakes are one check).</summary>
    public void Notify()
    {
        Interlocked.Increment(ref NotifiesReceived);
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Another NOTIFY released it first: one check serves both.
        }
    }

    /// <summary>Waits for <paramref name="interval"/> or a NOTIFY, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan interval, CancellationToken stopping) =>
        await _wake.WaitAsync(interval > MaxWait ? MaxWait : interval, stopping).ConfigureAwait(false);

    /// <summary>Timers beyond this are waited in steps (a SemaphoreSlim wait takes at most int.MaxValue ms).</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);

    private static SoaData Soa(Version version) => (SoaData)version.Soa.Data;

    private static TimeSpan Seconds(uint seconds) => TimeSpan.FromSeconds(Math.Max(1u, seconds));
}
