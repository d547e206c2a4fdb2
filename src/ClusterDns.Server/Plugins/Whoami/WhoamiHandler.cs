using System.Net;
using System.Net.Sockets;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Whoami;

/// <summary>
/// CoreDNS's whoami: an empty answer section; the client's address (A or AAAA) and a
/// <c>_udp.QNAME</c>/<c>_tcp.QNAME SRV 0 0 PORT .</c> record in the additional section, TTL 0, any query type.
/// </summary>
internal sealed class WhoamiHandler : DnsHandler
{
    private static readonly byte[] UdpLabel = [4, (byte)'_', (byte)'u', (byte)'d', (byte)'p'];
    private static readonly byte[] TcpLabel = [4, (byte)'_', (byte)'t', (byte)'c', (byte)'p'];

    public override string Name => "whoami";

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        var client = context.RemoteEndPoint;
        var address = client.Address.IsIPv4MappedToIPv6 ? client.Address.MapToIPv4() : client.Address;
        Span<byte> addressBytes = stackalloc byte[16];
        address.TryWriteBytes(addressBytes, out int addressLength);
        var type = address.AddressFamily == AddressFamily.InterNetwork ? RecordType.A : RecordType.AAAA;
        var recordClass = (ushort)context.Query.Class;

        var writer = context.BeginResponse();
        bool truncated = !writer.TryWriteRecordAt(DnsHeader.Size, type, recordClass, 0, addressBytes[..addressLength], MessageSection.Additional)
            || !TryWriteSrv(ref writer, context, recordClass, (ushort)client.Port);
        context.CompleteResponse(ref writer, ResponseCode.NoError, authoritative: true, truncated);
        context.WrittenBy = Name;
        return new ValueTask<HandlerResult>(HandlerResult.Written(ResponseCode.NoError));
    }

    private static bool TryWriteSrv(ref MessageWriter writer, DnsQueryContext context, ushort recordClass, ushort port)
    {
        var mark = writer.Mark();
        // Owner: the transport label, then a pointer to the question name.
        if (writer.TryWriteBytes(context.Transport == TransportKind.Tcp ? TcpLabel : UdpLabel)
            && writer.TryWritePointer(DnsHeader.Size))
        {
            Span<byte> rdata = [0, 0, 0, 0, (byte)(port >> 8), (byte)port, 0];
            if (writer.TryWriteUInt16((ushort)RecordType.SRV) && writer.TryWriteUInt16(recordClass) && writer.TryWriteUInt32(0)
                && writer.TryWriteUInt16((ushort)rdata.Length) && writer.TryWriteBytes(rdata))
            {
                writer.AdditionalCount++;
                return true;
            }
        }
        writer.Rollback(mark);
        return false;
    }
}
