using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Services;
using ClusterDns.Server.Zones;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>
/// A zone transfer of one cluster zone from one published <see cref="ClusterIndex"/> (immutable: the writer keeps
/// publishing newer ones meanwhile). It lists exactly what the zone answers name by name: every entry's RRsets
/// (the apex's NS, <c>dns-version</c>, the NS name's addresses, PTRs, <c>pods verified</c> names), then, in a forward
/// zone, every exposed Service's names written by the same <see cref="ServiceAnswers"/> that answers queries: the
/// Service name (A, AAAA, SRV, or the ExternalName CNAME), each <c>_port._proto</c> name and each endpoint name.
/// <c>pods insecure</c> names are made from the question and cannot be listed.
/// </summary>
internal sealed class ClusterZoneTransfer : TransferCursor
{
    private static readonly RecordType[] ServiceNameTypes = [RecordType.A, RecordType.AAAA, RecordType.SRV];

    private readonly ClusterIndex _index;
    private readonly ZoneApex _apex;
    private readonly byte[][] _zones;
    private readonly uint _ttl;
    private readonly IEnumerator<ClusterEntry> _entries;
    private readonly IEnumerator<ClusterService>? _services;
    private readonly byte[] _name = new byte[WireName.MaxLength];
    private readonly byte[] _longerName = new byte[WireName.MaxLength];
    private ClusterEntry _entry;
    private int _rrset;
    private ClusterService _service;
    private int _serviceNameLength;
    private int _step;

    // An RRset larger than any message, written once into a scratch buffer and sent a few records per message.
    private byte[]? _spill;
    private int _spillNext, _spillRemaining;
    private bool _moreAfterSpill;

    /// <summary>Room for the largest RRset split across messages (tens of thousands of SRV records), allocated on first need.</summary>
    private const int SpillSize = 16 * 1024 * 1024;

    /// <summary>Where the scratch's records start: past 0x3FFF no name can be a compression target, so each record stands alone.</summary>
    private const int SpillStart = 0x4000;

    public ClusterZoneTransfer(ClusterIndex index, int zone, byte[][] zones, uint ttl)
        : this(index, zone, zones, ttl, index.Entries(), index.Services())
    {
    }

    /// <summary>The records of the given entries and Services alone (what one publish may have changed), written as the whole zone writes them.</summary>
    public ClusterZoneTransfer(ClusterIndex index, int zone, byte[][] zones, uint ttl, IEnumerable<ClusterEntry> entries, IEnumerable<ClusterService> services)
    {
        _index = index;
        _apex = index.Apexes[zone];
        _zones = zones;
        _ttl = ttl;
        _entries = entries.GetEnumerator();
        _services = _apex.IsReverse ? null : services.GetEnumerator();
    }

    public override uint Serial => _index.Serial;

    /// <summary>Before the first list the zone is not known: no transfer (SERVFAIL), as CoreDNS sends none of an empty zone.</summary>
    public override bool Ready => _index.Synced;

    public override bool TryWriteSoa(ref MessageWriter writer) => _apex.Soa.TryWriteWithOwner(ref writer, _apex.Wire, MessageSection.Answer);

    public override TransferStep WriteNext(ref MessageWriter writer)
    {
        while (!_entry.IsNull || _entries.MoveNext())
        {
            if (_entry.IsNull)
            {
                _entry = _entries.Current;
                _rrset = 0;
                int zone = WireName.IndexOfLongestZone(_entry.Name, _zones);
                if (zone < 0 || !_zones[zone].AsSpan().SequenceEqual(_apex.Wire))
                {
                    _entry = default; // another zone's name
                    continue;
                }
            }
            if (_rrset >= _entry.RRsetCount)
            {
                _entry = default;
                continue;
            }
            var rrset = _entry.RRsetAt(_rrset);
            if (rrset.Type != RecordType.SOA && !rrset.TryWriteWithOwner(ref writer, _entry.Name, MessageSection.Answer))
            {
                return TransferStep.Full;
            }
            _rrset++;
            if (rrset.Type != RecordType.SOA)
            {
                return TransferStep.Written;
            }
        }
        return _services is null ? TransferStep.End : WriteServices(ref writer);
    }

    /// <summary>
    /// The Service's names one group at a time: steps 0–2 the Service name's A, AAAA and SRV (or its CNAME), then one
    /// step per port, then one per endpoint.
    /// </summary>
    private TransferStep WriteServices(ref MessageWriter writer)
    {
        if (_spillRemaining > 0)
        {
            return WriteSpilled(ref writer);
        }
        while (true)
        {
            if (_service.IsNull)
            {
                if (!_services!.MoveNext())
                {
                    return TransferStep.End;
                }
                _service = _services.Current;
                _step = 0;
                if (!_service.Answers || !TryBuildServiceName())
                {
                    _service = default;
                    continue;
                }
            }
            var outcome = WriteStep(ref writer, out bool more);
            if (_spillRemaining > 0)
            {
                _moreAfterSpill = more;
                return WriteSpilled(ref writer);
            }
            if (outcome == TransferStep.Full)
            {
                return outcome;
            }
            _step++;
            if (!more)
            {
                _service = default;
            }
            if (outcome == TransferStep.Written)
            {
                return outcome;
            }
        }
    }

    /// <summary>One step's records; <see cref="TransferStep.End"/> when the step had none. <paramref name="more"/>: steps remain.</summary>
    private TransferStep WriteStep(ref MessageWriter writer, out bool more)
    {
        var serviceName = _name.AsSpan(0, _serviceNameLength);
        if (_service.IsExternalName)
        {
            more = false;
            return Write(ref writer, serviceName, RecordType.ANY);
        }
        if (_step < ServiceNameTypes.Length)
        {
            more = true;
            return Write(ref writer, serviceName, ServiceNameTypes[_step]);
        }
        int position = _step - ServiceNameTypes.Length;
        int ports = _service.Ports.Count;
        if (position < ports)
        {
            more = true;
            return TryBuildPortName(position, out int length) ? Write(ref writer, _longerName.AsSpan(0, length), RecordType.SRV) : TransferStep.End;
        }
        position -= ports;
        more = position + 1 < _service.Endpoints.Count;
        if (position >= _service.Endpoints.Count || !_service.IsHeadless)
        {
            more = false;
            return TransferStep.End;
        }
        return TryBuildEndpointName(position, out int endpointLength)
            ? Write(ref writer, _longerName.AsSpan(0, endpointLength), RecordType.ANY)
            : TransferStep.End;
    }

    /// <summary>Writes the answer to <paramref name="type"/> at <paramref name="name"/>, without the additional section an SRV answer carries.</summary>
    private TransferStep Write(ref MessageWriter writer, ReadOnlySpan<byte> name, RecordType type)
    {
        var before = writer.Mark();
        int serviceName = name.Length - _serviceNameLength;
        switch (ServiceAnswers.Write(ref writer, _service, name, serviceName, type, _ttl, atQuestion: false))
        {
            case ServiceAnswer.Written:
            case ServiceAnswer.Cname:
                WrittenRecords.DropAdditional(ref writer, before);
                return TransferStep.Written;
            case ServiceAnswer.Truncated:
                writer.Rollback(before);
                // Larger than a whole message (headless Services with thousands of endpoints): split it.
                // (The caller sees the spill begun and sends it: WriteServices.)
                if (writer.AnswerCount == 0 && writer.Limit > MessageLimitForSplit)
                {
                    Spill(name, serviceName, type);
                }
                return TransferStep.Full;
            default:
                return TransferStep.End;
        }
    }

    /// <summary>An empty message this large that still cannot hold a group means no message can.</summary>
    private const int MessageLimitForSplit = 32 * 1024;

    /// <summary>Writes the group into the scratch buffer, each record uncompressed; nothing spilled when even that does not hold it.</summary>
    private void Spill(ReadOnlySpan<byte> name, int serviceName, RecordType type)
    {
        _spill ??= new byte[SpillSize];
        _spill[DnsHeader.Size] = 0; // a root name where the writer expects a question
        var scratch = new MessageWriter(_spill, _spill.Length);
        scratch.ContinueAfterQuestion(SpillStart);
        var before = scratch.Mark();
        var outcome = ServiceAnswers.Write(ref scratch, _service, name, serviceName, type, _ttl, atQuestion: false);
        if (outcome is not (ServiceAnswer.Written or ServiceAnswer.Cname))
        {
            return;
        }
        WrittenRecords.DropAdditional(ref scratch, before);
        _spillNext = SpillStart;
        _spillRemaining = scratch.AnswerCount;
    }

    /// <summary>The spilled records that fit in this message, whole; the step ends when the last is sent.</summary>
    private TransferStep WriteSpilled(ref MessageWriter writer)
    {
        int written = 0;
        while (_spillRemaining > 0)
        {
            int end = WrittenRecords.SkipRecord(_spill, _spillNext);
            if (!writer.TryWriteBytes(_spill.AsSpan(_spillNext, end - _spillNext)))
            {
                break;
            }
            writer.AnswerCount++;
            written++;
            _spillNext = end;
            _spillRemaining--;
        }
        if (_spillRemaining == 0)
        {
            // The group is done: on to the Service's next step, as after any written group.
            _step++;
            if (!_moreAfterSpill)
            {
                _service = default;
            }
        }
        return written > 0 ? TransferStep.Written : TransferStep.Full;
    }

    /// <summary>The Service's name (key, <c>svc</c>, zone) in the first name buffer; false when too long to be a name.</summary>
    private bool TryBuildServiceName()
    {
        var key = _service.Key;
        int length = key.Length + 4 + _apex.Wire.Length;
        if (length > WireName.MaxLength)
        {
            return false;
        }
        key.CopyTo(_name);
        "\x03svc"u8.CopyTo(_name.AsSpan(key.Length));
        _apex.Wire.CopyTo(_name.AsSpan(key.Length + 4));
        _serviceNameLength = length;
        return true;
    }

    /// <summary>
    /// <c>_port._proto.</c> before the Service name, in the second name buffer; false for a port without an SRV name,
    /// a name too long, or a name and protocol an earlier port already had (its SRV records were all written then).
    /// </summary>
    private bool TryBuildPortName(int position, out int length)
    {
        length = 0;
        Span<byte> prefix = stackalloc byte[2 * WireName.MaxLabelLength + 4];
        int index = 0;
        foreach (var port in _service.Ports)
        {
            if (index++ != position)
            {
                continue;
            }
            if (!port.HasSrvName || port.Protocol.Length + 1 > WireName.MaxLabelLength || IsRepeated(port, position))
            {
                return false;
            }
            prefix[0] = (byte)(port.Name.Length + 1);
            prefix[1] = (byte)'_';
            port.Name.CopyTo(prefix[2..]);
            int protocol = 2 + port.Name.Length;
            prefix[protocol] = (byte)(port.Protocol.Length + 1);
            prefix[protocol + 1] = (byte)'_';
            port.Protocol.CopyTo(prefix[(protocol + 2)..]);
            return TryPlaceBeforeServiceName(prefix[..(protocol + 2 + port.Protocol.Length)], out length);
        }
        return false;
    }

    private bool IsRepeated(ServiceRecordPort current, int position)
    {
        int index = 0;
        foreach (var port in _service.Ports)
        {
            if (index++ >= position)
            {
                return false;
            }
            if (port.HasSrvName && port.Name.SequenceEqual(current.Name) && port.Protocol.SequenceEqual(current.Protocol))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The endpoint's label and the Service name at the end of the name buffer; false unless it is the label's first endpoint.</summary>
    private bool TryBuildEndpointName(int position, out int length)
    {
        length = 0;
        int index = 0;
        foreach (var endpoint in _service.Endpoints)
        {
            if (index++ == position)
            {
                return endpoint.FirstOfLabel && TryPlaceBeforeServiceName(endpoint.LabelWire, out length);
            }
        }
        return false;
    }

    /// <summary><paramref name="labels"/> and the Service name, in the second name buffer.</summary>
    private bool TryPlaceBeforeServiceName(ReadOnlySpan<byte> labels, out int length)
    {
        length = labels.Length + _serviceNameLength;
        if (length > WireName.MaxLength)
        {
            return false;
        }
        labels.CopyTo(_longerName);
        _name.AsSpan(0, _serviceNameLength).CopyTo(_longerName.AsSpan(labels.Length));
        return true;
    }
}
