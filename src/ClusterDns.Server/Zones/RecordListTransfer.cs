using ClusterDns.Protocol;

namespace ClusterDns.Server.Zones;

/// <summary>
/// A transfer of records already listed: a captured version of a zone sent as AXFR, or IXFR difference sequences
/// (RFC 1995 §4: each the old SOA, its deletions, the new SOA, its additions) between the opening and closing SOA.
/// One record per step, so a large RRset simply continues in the next message.
/// </summary>
public sealed class RecordListTransfer : TransferCursor
{
    private readonly DnsRecord _soa;
    private readonly IEnumerator<DnsRecord> _body;
    private bool _pending;

    private RecordListTransfer(DnsRecord soa, IEnumerable<DnsRecord> body)
    {
        _soa = soa;
        Serial = ((SoaData)soa.Data).Serial;
        _body = body.GetEnumerator();
    }

    public override uint Serial { get; }

    /// <summary>The whole version, as AXFR.</summary>
    public static RecordListTransfer Whole(ZoneSnapshot snapshot) => new(snapshot.Soa, snapshot.Records);

    /// <summary>The difference sequences up to <paramref name="latest"/>, as IXFR.</summary>
    public static RecordListTransfer Incremental(ZoneSnapshot latest, IReadOnlyList<ZoneDifference> differences) =>
        new(latest.Soa, Sequences(differences));

    /// <summary>The difference sequences as IXFR, closing with the last one's new SOA (the source's own journal).</summary>
    public static RecordListTransfer Incremental(IReadOnlyList<ZoneDifference> differences) =>
        new(differences[^1].ToSoa, Sequences(differences));

    private static IEnumerable<DnsRecord> Sequences(IReadOnlyList<ZoneDifference> differences)
    {
        foreach (var difference in differences)
        {
            yield return difference.FromSoa;
            foreach (var record in difference.Deleted)
            {
                yield return record;
            }
            yield return difference.ToSoa;
            foreach (var record in difference.Added)
            {
                yield return record;
            }
        }
    }

    public override bool TryWriteSoa(ref MessageWriter writer) => TryWrite(ref writer, _soa);

    public override TransferStep WriteNext(ref MessageWriter writer)
    {
        if (!_pending)
        {
            if (!_body.MoveNext())
            {
                return TransferStep.End;
            }
            _pending = true;
        }
        if (!TryWrite(ref writer, _body.Current))
        {
            return TransferStep.Full;
        }
        _pending = false;
        return TransferStep.Written;
    }

    private static bool TryWrite(ref MessageWriter writer, DnsRecord record)
    {
        if (!writer.TryBeginRecord(record.Name.Wire, record.Type, (ushort)record.Class, record.Ttl, out var inProgress))
        {
            return false;
        }
        if (!record.Data.TryWrite(ref writer))
        {
            writer.Rollback(inProgress.Start);
            return false;
        }
        writer.EndRecord(inProgress, MessageSection.Answer);
        return true;
    }
}
