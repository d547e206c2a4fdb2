using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Services;
using ClusterDns.Server.Zones;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>
/// The IXFR journals of the cluster zones, fed by the builder's publishes: for each publish, the records of the
/// names and Services it touched are written from the index before and after (by the same cursor a whole transfer
/// uses, so a difference holds exactly what AXFR would list) and their difference is kept. The cost follows the
/// change, not the zone, and no copy of the zone is ever made; a zone's journal starts with the first transfer
/// asked of it (a zone nobody transfers costs nothing). Runs on the builder's one writer thread.
/// </summary>
internal sealed partial class ClusterZoneJournal
{
    private readonly byte[][] _zones;
    private readonly DnsName[] _origins;
    private readonly uint _ttl;
    private readonly TransferJournal?[] _journals;
    private readonly ILogger _logger;
    private byte[]? _scratch;
    private Action? _changed;

    public ClusterZoneJournal(ClusterZoneBuilder builder, byte[][] zones, uint ttl, ILogger logger)
    {
        _zones = zones;
        _origins = zones.Select(zone => DnsName.FromWire(zone)).ToArray();
        _ttl = ttl;
        _journals = new TransferJournal?[zones.Length];
        _logger = logger;
        builder.Publishing += OnPublishing;
        builder.Published += _ => Volatile.Read(ref _changed)?.Invoke();
    }

    /// <summary>Calls <paramref name="changed"/> after each publish (the transfer plugin's NOTIFY check).</summary>
    public void WatchChanges(Action changed)
    {
        Action? seen, next;
        do
        {
            seen = Volatile.Read(ref _changed);
            next = (Action?)Delegate.Combine(seen, changed);
        }
        while (Interlocked.CompareExchange(ref _changed, next, seen) != seen);
    }

    /// <summary>The journal of zone number <paramref name="zone"/>, started now if it was not (it then knows changes from the next publish on).</summary>
    public TransferJournal Open(int zone)
    {
        var journal = Volatile.Read(ref _journals[zone]);
        if (journal is null)
        {
            Interlocked.CompareExchange(ref _journals[zone], new TransferJournal(_origins[zone]), null);
            journal = Volatile.Read(ref _journals[zone])!;
        }
        return journal;
    }

    /// <summary>Keeps each started journal's difference for one publish.</summary>
    internal void OnPublishing(PublishedChange change)
    {
        for (int zone = 0; zone < _zones.Length; zone++)
        {
            if (Volatile.Read(ref _journals[zone]) is not { } journal)
            {
                continue;
            }
            try
            {
                if (Difference(change, zone) is { } difference)
                {
                    journal.Append(difference);
                }
                else
                {
                    journal.Clear();
                }
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // A difference we cannot work out must not stop the publish: secondaries get the whole zone instead.
                journal.Clear();
                LogDifferenceFailed(_logger, exception, _origins[zone].ToString());
            }
        }
    }

    /// <summary>The difference one publish made to one zone; null when its records cannot be written (the journal starts again).</summary>
    private ZoneDifference? Difference(PublishedChange change, int zone)
    {
        _scratch ??= ZoneSnapshot.NewScratch();
        var before = Touched(change.Before, change, zone);
        var after = Touched(change.After, change, zone);
        if (!ZoneSnapshot.TryCapture(_origins[zone], before, out var from, out var error, _scratch)
            || !ZoneSnapshot.TryCapture(_origins[zone], after, out var to, out error, _scratch))
        {
            LogDifferenceFailed(_logger, null, $"{_origins[zone]} ({error})");
            return null;
        }
        return ZoneDifference.Between(from, to);
    }

    private ClusterZoneTransfer Touched(ClusterIndex index, PublishedChange change, int zone) =>
        new(index, zone, _zones, _ttl, Entries(index, change.Names), Services(index, change.ServiceKeys));

    private static IEnumerable<ClusterEntry> Entries(ClusterIndex index, IReadOnlyCollection<byte[]> names)
    {
        foreach (var name in names)
        {
            var entry = index.Find(name);
            if (!entry.IsNull)
            {
                yield return entry;
            }
        }
    }

    private static IEnumerable<ClusterService> Services(ClusterIndex index, IReadOnlyList<byte[]> keys)
    {
        foreach (var key in keys)
        {
            var service = index.FindService(key);
            if (!service.IsNull)
            {
                yield return service;
            }
        }
    }

    [LoggerMessage(EventId = 323, Level = LogLevel.Warning,
        Message = "The transfer journal of {Zone} could not record a publish; secondaries get the whole zone until the next changes")]
    private static partial void LogDifferenceFailed(ILogger logger, Exception? exception, string zone);
}
