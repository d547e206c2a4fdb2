using ClusterDns.Protocol;

namespace ClusterDns.Server.Zones;

/// <summary>
/// The IXFR journal of one zone (RFC 1995): the latest version sent and a bounded run of differences that lead to
/// it, oldest first. A version is captured when a secondary asks for the zone and the serial has moved since the
/// last capture (every transfer is sent from the captured version), so every serial a secondary holds is one the
/// journal knows until it falls off the end; a burst of changes between two requests is one difference.
/// A client whose serial is not in the run, or whose differences would send more records than the zone itself,
/// gets the whole zone (RFC 1995 §2 lets the server send AXFR instead). Thread-safe: transfers and the NOTIFY check
/// capture from different threads.
/// </summary>
public sealed class TransferJournal
{
    /// <summary>Differences kept: one per request that found a new serial (at most one per NOTIFY).</summary>
    public const int DefaultMaxDifferences = 128;

    /// <summary>Records kept over all differences (each a few hundred bytes as objects): tens of MiB at most.</summary>
    public const int DefaultMaxRecords = 200_000;

    private readonly DnsName _origin;
    private readonly int _maxDifferences;
    private readonly int _maxRecords;
    private readonly Lock _lock = new();
    private readonly LinkedList<ZoneDifference> _differences = new();
    private int _records;
    private ZoneSnapshot? _latest;

    public TransferJournal(DnsName origin, int maxDifferences = DefaultMaxDifferences, int maxRecords = DefaultMaxRecords)
    {
        _origin = origin;
        _maxDifferences = maxDifferences;
        _maxRecords = maxRecords;
    }

    /// <summary>Differences now kept (tests, metrics).</summary>
    public int DifferenceCount
    {
        get
        {
            lock (_lock)
            {
                return _differences.Count;
            }
        }
    }

    /// <summary>
    /// The version <paramref name="cursor"/> reads, captured unless it is the latest already (the cursor is then not
    /// read); null when it cannot be captured (the caller sends the cursor as an AXFR).
    /// </summary>
    public ZoneSnapshot? Capture(TransferCursor cursor)
    {
        lock (_lock)
        {
            if (_latest is { } latest && latest.Serial == cursor.Serial)
            {
                return latest;
            }
            if (!ZoneSnapshot.TryCapture(_origin, cursor, out var snapshot, out _))
            {
                return null;
            }
            Add(snapshot);
            return snapshot;
        }
    }

    /// <summary>Makes <paramref name="snapshot"/> the latest version, keeping the difference to it.</summary>
    public void Add(ZoneSnapshot snapshot)
    {
        lock (_lock)
        {
            if (_latest is { } latest && SerialArithmetic.IsNewer(snapshot.Serial, latest.Serial))
            {
                var difference = ZoneDifference.Between(latest, snapshot);
                _differences.AddLast(difference);
                _records += difference.RecordCount;
                while (_differences.Count > _maxDifferences || (_records > _maxRecords && _differences.Count > 0))
                {
                    _records -= _differences.First!.Value.RecordCount;
                    _differences.RemoveFirst();
                }
            }
            else if (_latest is not null && snapshot.Serial != _latest.Serial)
            {
                // The serial went back (a primary that started again): old serials may now name other contents.
                _differences.Clear();
                _records = 0;
            }
            _latest = snapshot;
        }
    }

    /// <summary>
    /// The differences from <paramref name="clientSerial"/> to <paramref name="latest"/>, oldest first; null when the
    /// client's serial is not in the journal or the whole zone is smaller (send AXFR).
    /// </summary>
    public IReadOnlyList<ZoneDifference>? DifferencesSince(uint clientSerial, ZoneSnapshot latest)
    {
        lock (_lock)
        {
            if (!ReferenceEquals(latest, _latest))
            {
                return null;
            }
            var run = new List<ZoneDifference>();
            int records = 0;
            bool found = false;
            foreach (var difference in _differences)
            {
                found |= difference.FromSerial == clientSerial;
                if (found)
                {
                    run.Add(difference);
                    records += difference.RecordCount;
                }
            }
            return found && records <= latest.Records.Count + 2 ? run : null;
        }
    }
}
