using System.Buffers.Binary;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Tests.Listeners;

/// <summary>Builds packets byte by byte, including the malformed ones a DnsMessage would refuse to write.</summary>
internal sealed class RawPacket
{
    private readonly List<byte> _bytes = new();

    public RawPacket(ushort id, ushort flags = 0x0100, ushort qd = 1, ushort an = 0, ushort ns = 0, ushort ar = 0)
    {
        U16(id).U16(flags).U16(qd).U16(an).U16(ns).U16(ar);
    }

    public RawPacket U16(ushort value)
    {
        _bytes.Add((byte)(value >> 8));
        _bytes.Add((byte)value);
        return this;
    }

    public RawPacket U32(uint value) => U16((ushort)(value >> 16)).U16((ushort)value);

    public RawPacket Name(string name)
    {
        _bytes.AddRange(DnsName.Parse(name).Wire.ToArray());
        return this;
    }

    public RawPacket Question(string name, RecordType type, ushort recordClass = 1) => Name(name).U16((ushort)type).U16(recordClass);

    /// <summary>An OPT pseudo-record with root owner: payload size, version, no options.</summary>
    public RawPacket Opt(ushort payload = 1232, byte version = 0)
    {
        _bytes.Add(0);
        return U16((ushort)RecordType.OPT).U16(payload).U32((uint)version << 16).U16(0);
    }

    public RawPacket ARecord(string owner, uint ttl = 60) => Name(owner).U16((ushort)RecordType.A).U16(1).U32(ttl).U16(4).U32(0xC0000201);

    public RawPacket Padding(int count)
    {
        _bytes.AddRange(new byte[count]);
        return this;
    }

    public byte[] ToArray() => _bytes.ToArray();

    public static ushort Id(ReadOnlySpan<byte> packet) => BinaryPrimitives.ReadUInt16BigEndian(packet);
}
