using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ClusterDns.Protocol;
using ClusterDns.Testing.Oracles;

namespace ClusterDns.Server.Tests.Support;

/// <summary>
/// A zone transfer client (and one-query client) over real TCP (RFC 5936 §2.2): sends one AXFR or IXFR and reads messages until the
/// closing SOA, an error RCODE, or the end of the stream. Bounded by a timeout, never by sleeping. It reads at
/// wire speed (our own parser only) and has the independent oracles check every message after the stream ends, so
/// a slow oracle never makes it look like a stalled reader to a server with a write timeout.
/// </summary>
internal static class AxfrClient
{
    public static async Task<List<DnsMessage>> TransferAsync(int port, string zone, RecordType type = RecordType.AXFR, uint? ixfrSerial = null,
        IPAddress? address = null, TimeSpan? timeout = null)
    {
        using var client = new TcpClient(AddressFamily.InterNetwork);
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        await client.ConnectAsync(address ?? IPAddress.Loopback, port, cancel.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Frame(Request(zone, type, ixfrSerial)), cancel.Token);
        var messages = new List<DnsMessage>();
        var wires = new List<byte[]>();
        int soas = 0;
        var length = new byte[2];
        while (true)
        {
            try
            {
                await stream.ReadExactlyAsync(length, cancel.Token);
            }
            catch (EndOfStreamException)
            {
                return Checked(messages, wires);
            }
            var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
            await stream.ReadExactlyAsync(body, cancel.Token);
            var error = DnsMessage.TryParse(body, out var message);
            Assert.True(error == DnsError.None, $"response does not parse: {error}");
            messages.Add(message);
            wires.Add(body);
            if (type is not (RecordType.AXFR or RecordType.IXFR))
            {
                return Checked(messages, wires); // an ordinary query over TCP: one answer
            }
            soas += message.Answers.Count(r => r.Type == RecordType.SOA);
            bool soaOnly = messages.Count == 1 && message.Answers.Count == 1 && soas == 1 && type == RecordType.IXFR;
            if (message.Rcode != ResponseCode.NoError || soas >= 2 || soaOnly || message.Answers.Count == 0)
            {
                return Checked(messages, wires);
            }
        }
    }

    private static List<DnsMessage> Checked(List<DnsMessage> messages, List<byte[]> wires)
    {
        foreach (var wire in wires)
        {
            ResponseOracle.AssertParses(wire);
        }
        return messages;
    }

    /// <summary>The records of a transfer, in order, across its messages.</summary>
    public static List<DnsRecord> Records(IEnumerable<DnsMessage> messages) => messages.SelectMany(m => m.Answers).ToList();

    public static byte[] Request(string zone, RecordType type, uint? ixfrSerial = null)
    {
        var query = DnsMessage.CreateQuery(0x4242, DnsName.Parse(zone), type);
        query.Header.RecursionDesired = false;
        if (ixfrSerial is { } serial)
        {
            var name = DnsName.Parse(zone);
            query.Authority.Add(new DnsRecord(name, RecordType.SOA, RecordClass.IN, 0,
                new SoaData(DnsName.Parse("ns." + zone), DnsName.Parse("hostmaster." + zone), serial, 0, 0, 0, 0)));
        }
        return query.ToArray();
    }

    public static byte[] Frame(byte[] message)
    {
        var framed = new byte[message.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed, 2);
        return framed;
    }
}
