namespace ClusterDns.Protocol;

/// <summary>The contents of a message's OPT pseudo-record (RFC 6891 §6.1.3).</summary>
public sealed record EdnsRecord
{
    /// <summary>The sender's UDP payload size (OPT CLASS field).</summary>
    public ushort UdpPayloadSize { get; init; } = 1232;

    /// <summary>The upper eight bits of the 12-bit RCODE.</summary>
    public byte ExtendedRcode { get; init; }

    public byte Version { get; init; }

    /// <summary>The DO bit (RFC 3225).</summary>
    public bool DnssecOk { get; init; }

    public IReadOnlyList<EdnsOption> Options { get; init; } = [];

    public bool Equals(EdnsRecord? other) =>
        other is not null && other.UdpPayloadSize == UdpPayloadSize && other.ExtendedRcode == ExtendedRcode
        && other.Version == Version && other.DnssecOk == DnssecOk && other.Options.SequenceEqual(Options);

    public override int GetHashCode() => HashCode.Combine(UdpPayloadSize, ExtendedRcode, Version, DnssecOk, Options.Count);
}
