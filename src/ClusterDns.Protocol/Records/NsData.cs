using ClusterDns.Protocol.Text;

namespace ClusterDns.Protocol;

/// <summary>An authoritative name server (RFC 1035 §3.3.11).</summary>
public sealed class NsData(DnsName nameServer) : RecordData
{
    public DnsName NameServer { get; } = nameServer;

    public override RecordType Type => RecordType.NS;

    // An RFC 1035 type: its name may be compressed (RFC 3597 §4).
    internal override bool TryWrite(ref MessageWriter writer, bool compress) => writer.TryWriteName(NameServer.Wire, compress);

    public override string ToString() => NameServer.ToString();

    internal static DnsError TryRead(ref RdataReader reader, out RecordData data)
    {
        var error = reader.ReadName(out var name);
        data = new NsData(name);
        return error;
    }

    internal static bool TryParse(IReadOnlyList<string> fields, DnsName? origin, out RecordData data, out string error)
    {
        data = null!;
        if (!ExpectFields(fields, 1, "name", out error) || !PresentationText.TryParseName(fields[0], origin, out var name, out error))
        {
            return false;
        }
        data = new NsData(name);
        return true;
    }
}
