using System.Net;
using System.Net.Sockets;

namespace ClusterDns.Protocol;

/// <summary>An IPv6 address (RFC 3596).</summary>
public sealed class AaaaData : RecordData
{
    public AaaaData(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw new ArgumentException($"AAAA records hold IPv6 addresses, not {address}.", nameof(address));
        }
        Address = address;
    }

    public IPAddress Address { get; }

    public override RecordType Type => RecordType.AAAA;

    internal override bool TryWrite(ref MessageWriter writer, bool compress)
    {
        Span<byte> bytes = stackalloc byte[16];
        Address.TryWriteBytes(bytes, out _);
        return writer.TryWriteBytes(bytes);
    }

    public override string ToString() => Address.ToString();

    internal static DnsError TryRead(ref RdataReader reader, out RecordData data)
    {
        data = null!;
        if (reader.Remaining != 16 || !reader.TryReadBytes(16, out var bytes))
        {
            return DnsError.BadRdata;
        }
        data = new AaaaData(new IPAddress(bytes));
        return DnsError.None;
    }

    internal static bool TryParse(IReadOnlyList<string> fields, out RecordData data, out string error)
    {
        data = null!;
        if (!ExpectFields(fields, 1, "address", out error))
        {
            return false;
        }
        // A scope id (%eth0) has no place in DNS data.
        if (!IPAddress.TryParse(fields[0], out var address) || address.AddressFamily != AddressFamily.InterNetworkV6
            || fields[0].Contains('%'))
        {
            return Fail($"bad IPv6 address '{fields[0]}'", out error);
        }
        data = new AaaaData(address);
        return true;
    }
}
