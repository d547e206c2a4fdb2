using System.Net;
using System.Net.Sockets;

namespace ClusterDns.Protocol;

/// <summary>An IPv4 address (RFC 1035 §3.4.1).</summary>
public sealed class AData : RecordData
{
    public AData(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"A records hold IPv4 addresses, not {address}.", nameof(address));
        }
        Address = address;
    }

    public IPAddress Address { get; }

    public override RecordType Type => RecordType.A;

    internal override bool TryWrite(ref MessageWriter writer, bool compress)
    {
        Span<byte> bytes = stackalloc byte[4];
        Address.TryWriteBytes(bytes, out _);
        return writer.TryWriteBytes(bytes);
    }

    public override string ToString() => Address.ToString();

    internal static DnsError TryRead(ref RdataReader reader, out RecordData data)
    {
        data = null!;
        if (reader.Remaining != 4 || !reader.TryReadBytes(4, out var bytes))
        {
            return DnsError.BadRdata;
        }
        data = new AData(new IPAddress(bytes));
        return DnsError.None;
    }

    internal static bool TryParse(IReadOnlyList<string> fields, out RecordData data, out string error)
    {
        data = null!;
        if (!ExpectFields(fields, 1, "address", out error))
        {
            return false;
        }
        // IPAddress.TryParse accepts "1" or "1.2" shorthand; presentation form is four dotted decimals.
        if (!IPAddress.TryParse(fields[0], out var address) || address.AddressFamily != AddressFamily.InterNetwork
            || fields[0].Count(c => c == '.') != 3)
        {
            return Fail($"bad IPv4 address '{fields[0]}'", out error);
        }
        data = new AData(address);
        return true;
    }
}
