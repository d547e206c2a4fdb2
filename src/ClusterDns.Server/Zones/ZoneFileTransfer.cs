using ClusterDns.Protocol;

namespace ClusterDns.Server.Zones;

/// <summary>
/// A zone transfer of one <see cref="AuthoritativeZone"/> (file): the zone object is immutable (a reload swaps in
/// a new one), so the cursor walks the one it was opened on, an RRset at a time: the apex's RRsets first (NS),
/// then every other name's, glue and records below delegations included (RFC 5936 §3.1).
/// </summary>
internal sealed class ZoneFileTransfer : TransferCursor
{
    private readonly AuthoritativeZone _zone;
    private readonly IEnumerator<ZoneNode> _nodes;
    private ZoneNode? _node;
    private int _rrset;

    public ZoneFileTransfer(AuthoritativeZone zone)
    {
        _zone = zone;
        _nodes = zone.Nodes.GetEnumerator();
        _node = zone.Apex;
    }

    public override uint Serial => _zone.Serial;

    public override bool TryWriteSoa(ref MessageWriter writer) =>
        ZoneLookup.TryWriteRRset(_zone.OriginWire, _zone.Soa, MessageSection.Answer, ref writer);

    public override TransferStep WriteNext(ref MessageWriter writer)
    {
        while (true)
        {
            if (_node is null && !MoveToNextNode())
            {
                return TransferStep.End;
            }
            var node = _node!;
            if (_rrset >= node.RRsets.Length)
            {
                _node = null;
                continue;
            }
            var rrset = node.RRsets[_rrset];
            if (rrset.Type == RecordType.SOA)
            {
                _rrset++;
                continue;
            }
            if (!ZoneLookup.TryWriteRRset(node.Name, rrset, MessageSection.Answer, ref writer))
            {
                return TransferStep.Full;
            }
            _rrset++;
            return TransferStep.Written;
        }
    }

    private bool MoveToNextNode()
    {
        while (_nodes.MoveNext())
        {
            var next = _nodes.Current;
            // The apex went first.
            if (!ReferenceEquals(next, _zone.Apex))
            {
                _node = next;
                _rrset = 0;
                return true;
            }
        }
        return false;
    }
}
