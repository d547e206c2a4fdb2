using ClusterDns.Protocol.Text;

namespace ClusterDns.Protocol;

/// <summary>The canonical name of an alias (RFC 1035 §3.3.1).</summary>
public sealed class CNameData(DnsName target) : RecordData
{
    public DnsName Target { get; } = target;

    public override RecordType Type => RecordType.CNAME;

    // An RFC 1035 type: its name may be compressed (RFC 3597 §4).
    internal override bool TryWrite(ref MessageWriter writer, bool compress) => writer.TryWriteName(Target.Wire, compress);

    public override string ToString() => Target.ToString();

    internal static DnsError TryRead(ref RdataReader reader, out RecordData data)
    {
        var error = reader.ReadName(out var name);
        data = new CNameData(name);
        return error;
    }

    internal static bool TryParse(IReadOnlyList<string> fields, DnsName? origin, out RecordData data, out string error)
    {
        data = null!;
        if (!ExpectFields(fields, 1, "name", out error) || !PresentationText.TryParseName(fields[0], origin, out var name, out error))
        {
            return false;
        }
        data = new CNameData(name);
        return true;
    }
}
