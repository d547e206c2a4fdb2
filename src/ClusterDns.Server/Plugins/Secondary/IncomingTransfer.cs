using ClusterDns.Protocol;
using ClusterDns.Server.Zones;

namespace ClusterDns.Server.Plugins.Secondary;

/// <summary>What a primary's answer to our AXFR or IXFR came to.</summary>
internal abstract record TransferOutcome
{
    /// <summary>RFC 1995 §2: the primary's SOA alone, not newer than ours: our version is current.</summary>
    public sealed record UpToDate(uint Serial) : TransferOutcome;

    /// <summary>The whole zone (an AXFR, or an IXFR answered in AXFR form).</summary>
    public sealed record Whole(ZoneSnapshot Snapshot) : TransferOutcome;

    /// <summary>Difference sequences from our serial to the primary's (RFC 1995 §4).</summary>
    public sealed record Incremental(IReadOnlyList<ZoneDifference> Differences) : TransferOutcome;
}

/// <summary>
/// Reads the records of a transfer response as they arrive, message by message, and says when the transfer is
/// complete and what it holds. AXFR form: SOA, records, the same SOA. IXFR form: the new SOA, then sequences of old
/// SOA, deletions, new SOA, additions, and the new SOA again; a lone SOA that is not newer than ours means current.
/// </summary>
internal sealed class IncomingTransfer
{
    private readonly DnsName _zone;
    private readonly uint? _ourSerial;
    private readonly List<DnsRecord> _records = new();
    private uint _serial;
    private int _closingSoas;

    public IncomingTransfer(DnsName zone, uint? ourSerial)
    {
        _zone = zone;
        _ourSerial = ourSerial;
    }

    /// <summary>Adds one message's answer records; the outcome once the transfer is complete, else null. Throws <see cref="InvalidDataException"/> on a malformed transfer.</summary>
    public TransferOutcome? Add(IReadOnlyList<DnsRecord> answers)
    {
        foreach (var record in answers)
        {
            if (_records.Count == 0)
            {
                if (record.Data is not SoaData first || !record.Name.Equals(_zone))
                {
                    throw new InvalidDataException($"the transfer of {_zone} does not start with its SOA");
                }
                _serial = first.Serial;
            }
            else if (!record.Name.IsSubdomainOf(_zone))
            {
                throw new InvalidDataException($"the transfer of {_zone} holds {record.Name}, outside the zone");
            }
            else if (record.Data is SoaData soa && soa.Serial == _serial)
            {
                _closingSoas++;
            }
            _records.Add(record);
        }
        if (_records.Count == 0)
        {
            return null;
        }
        if (_ourSerial is { } ours && !SerialArithmetic.IsNewer(_serial, ours))
        {
            // Current (or older: RFC 1982 says never go back; we keep serving what we have).
            return new TransferOutcome.UpToDate(_serial);
        }
        bool incremental = _records.Count > 1 && _records[1].Type == RecordType.SOA && _ourSerial is not null;
        if (_closingSoas < (incremental ? 2 : 1))
        {
            return null;
        }
        if (_records[^1].Type != RecordType.SOA)
        {
            throw new InvalidDataException($"the transfer of {_zone} has records after its closing SOA");
        }
        return incremental ? ReadSequences() : ReadWhole();
    }

    private TransferOutcome ReadWhole()
    {
        var records = new HashSet<DnsRecord>();
        for (int i = 1; i < _records.Count - 1; i++)
        {
            if (_records[i].Type == RecordType.SOA)
            {
                throw new InvalidDataException($"the transfer of {_zone} has a second SOA inside it");
            }
            records.Add(_records[i]);
        }
        return new TransferOutcome.Whole(new ZoneSnapshot(_records[0], records));
    }

    private TransferOutcome ReadSequences()
    {
        var differences = new List<ZoneDifference>();
        int i = 1;
        int last = _records.Count - 1;
        while (i < last)
        {
            var from = _records[i++];
            var deleted = new List<DnsRecord>();
            while (i < last && _records[i].Type != RecordType.SOA)
            {
                deleted.Add(_records[i++]);
            }
            if (i >= last)
            {
                throw new InvalidDataException($"an IXFR sequence of {_zone} has no new SOA");
            }
            var to = _records[i++];
            var added = new List<DnsRecord>();
            while (i < last && _records[i].Type != RecordType.SOA)
            {
                added.Add(_records[i++]);
            }
            differences.Add(new ZoneDifference(from, to, deleted, added));
        }
        return new TransferOutcome.Incremental(differences);
    }
}
