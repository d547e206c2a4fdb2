using ClusterDns.Protocol;

namespace ClusterDns.Server.Zones;

/// <summary>
/// The IXFR journal of one zone (RFC 1995): a bounded run of differences, oldest first, that lead to the latest
/// version. It is fed one of two ways. A source that knows what each of its changes did (the cluster zone: the
/// builder's per-publish changes) <see cref="Append"/>s a difference per new serial, and the whole zone is then
/// streamed from the source itself. Any other source (file zones) is captured when a secondary asks and the serial
/// has moved since the last capture (<see cref="Capture"/>; every transfer is then sent from the captured version),
/// and the difference between the last two captures is kept; a burst of changes between two requests is one
/// difference. A client whose serial is not in the run gets the whole zone (RFC 1995 §2 lets the server send AXFR
/// instead). Thread-safe: transfers, the NOTIFY check and the cluster zone's writer use it from different threads.
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
                AppendLocked(ZoneDifference.Between(latest, snapshot));
            }
            else if (_latest is not null && snapshot.Serial != _latest.Serial)
            {
                // The serial went back (a primary that started again): old serials may now name other contents.
                ClearLocked();
            }
            _latest = snapshot;
        }
    }

    /// <summary>
    /// Keeps a difference the source worked out itself. One that does not continue the run (a serial that did not
    /// move forward, or a gap) starts the run again: an older serial can no longer be brought up to date by it.
    /// </summary>
    public void Append(ZoneDifference difference)
    {
        lock (_lock)
        {
            bool continues = _differences.Last is not { } last || last.Value.ToSerial == difference.FromSerial;
            if (!continues || !SerialArithmetic.IsNewer(difference.ToSerial, difference.FromSerial))
            {
                ClearLocked();
            }
            if (SerialArithmetic.IsNewer(difference.ToSerial, difference.FromSerial))
            {
                AppendLocked(difference);
            }
        }
    }

    /// <summary>Forgets every difference: clients are sent the whole zone until the run grows again.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            ClearLocked();
        }
    }

    private void AppendLocked(ZoneDifference difference)
    {
        _differences.AddLast(difference);
        _records += difference.RecordCount;
        while (_differences.Count > _maxDifferences || (_records > _maxRecords && _differences.Count > 0))
        {
            _records -= _differences.First!.Value.RecordCount;
            _differences.RemoveFirst();
        }
    }

    private void ClearLocked()
    {
        _differences.Clear();
        _records = 0;
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
            var run = RunLocked(clientSerial, latest.Serial, out int records);
            return run is not null && records <= latest.Records.Count + 2 ? run : null;
        }
    }

    /// <summary>
    /// The differences from <paramref name="clientSerial"/> up to exactly <paramref name="toSerial"/> (the version the
    /// source's cursor reads; later ones may have been appended meanwhile), oldest first; null when the run does not
    /// hold both (send the whole zone).
    /// </summary>
    public IReadOnlyList<ZoneDifference>? DifferencesSince(uint clientSerial, uint toSerial)
    {
        lock (_lock)
        {
            return RunLocked(clientSerial, toSerial, out _);
        }
    }

    private List<ZoneDifference>? RunLocked(uint fromSerial, uint toSerial, out int records)
    {
        records = 0;
        List<ZoneDifference>? run = null;
        foreach (var difference in _differences)
        {
            if (run is null && difference.FromSerial == fromSerial)
            {
                run = new List<ZoneDifference>();
            }
            if (run is not null)
            {
                run.Add(difference);
                records += difference.RecordCount;
                if (difference.ToSerial == toSerial)
                {
                    return run;
                }
            }
        }
        return null;
    }
}
