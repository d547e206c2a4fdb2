using System.Globalization;

namespace ClusterDns.Protocol;

/// <summary>A resource record: owner, type, class, TTL and typed RDATA.</summary>
public sealed record DnsRecord
{
    public DnsRecord(DnsName name, RecordType type, RecordClass @class, uint ttl, RecordData data)
    {
        if (data.Type != type)
        {
            throw new ArgumentException($"RDATA of type {RecordTypeNames.ToText(data.Type)} in a {RecordTypeNames.ToText(type)} record.", nameof(data));
        }
        Name = name;
        Type = type;
        Class = @class;
        Ttl = ttl;
        Data = data;
    }

    /// <summary>A record of class IN whose type is its RDATA's.</summary>
    public DnsRecord(DnsName name, uint ttl, RecordData data)
        : this(name, data.Type, RecordClass.IN, ttl, data)
    {
    }

    public DnsName Name { get; }
    public RecordType Type { get; }
    public RecordClass Class { get; }
    public uint Ttl { get; init; }
    public RecordData Data { get; }

    /// <summary>True when both belong to one RRset: same owner (ignoring case), type and class.</summary>
    public bool IsSameRRset(DnsRecord other) => other.Type == Type && other.Class == Class && other.Name.Equals(Name);

    /// <summary>Zone-file line: <c>name TTL CLASS TYPE rdata</c>.</summary>
    public override string ToString() =>
        $"{Name} {Ttl.ToString(CultureInfo.InvariantCulture)} {RecordTypeNames.ToText(Class)} {RecordTypeNames.ToText(Type)} {Data}";
}
