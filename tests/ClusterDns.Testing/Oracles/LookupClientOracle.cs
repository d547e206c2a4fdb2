using System.Net;
using System.Net.Sockets;
using ClusterDns.Protocol;
using DnsClient;
using DnsClient.Protocol;
using Xunit;

namespace ClusterDns.Testing.Oracles;

/// <summary>
/// DnsClient.NET's real <see cref="LookupClient"/> (its own query, transport, ID and question checks, public API only)
/// against a server on the loopback, compared with the same question sent as our own bytes and read by
/// <see cref="ResponseOracle"/>: RCODE, flags and the records of each section, as multisets (order aside).
/// </summary>
public static class LookupClientOracle
{
    public static async Task<IDnsQueryResponse> AssertAgreesAsync(int port, string name, RecordType type, bool tcp = false)
    {
        var ours = await AskAsync(port, name, type, tcp);
        var client = new LookupClient(new LookupClientOptions(new NameServer(IPAddress.Loopback, port))
        {
            UseCache = false,
            Retries = 0,
            Timeout = TimeSpan.FromSeconds(3),
            UseTcpOnly = tcp,
            ThrowDnsErrors = false,
            ContinueOnDnsError = false,
            ContinueOnEmptyResponse = false,
        });
        var theirs = await client.QueryAsync(name, (QueryType)(ushort)type);
        string context = $"LookupClient's answer to {name} {RecordTypeNames.ToText(type)} differs from ours\n{ours}\n{theirs.AuditTrail}";
        Assert.False(theirs.HasError && theirs.Header.ResponseCode == DnsHeaderResponseCode.NoError, $"LookupClient error '{theirs.ErrorMessage}': {context}");
        Assert.True((int)theirs.Header.ResponseCode == ours.Header.Rcode, $"RCODE {theirs.Header.ResponseCode}: {context}");
        Assert.True(theirs.Header.HasAuthorityAnswer == ours.Header.AuthoritativeAnswer && theirs.Header.ResultTruncated == ours.Header.Truncated, $"flags: {context}");
        SameRecords(theirs.Answers, ours.Answers, "answer", context);
        SameRecords(theirs.Authorities, ours.Authority, "authority", context);
        SameRecords(theirs.Additionals.Where(r => r is not DnsClient.Protocol.Options.OptRecord).ToList(), ours.Additional, "additional", context);
        return theirs;
    }

    private static void SameRecords(IReadOnlyCollection<DnsResourceRecord> theirs, List<DnsRecord> ours, string section, string context)
    {
        Assert.True(theirs.Count == ours.Count, $"{section}: {theirs.Count} records, ours {ours.Count}: {context}");
        var left = theirs.ToList();
        foreach (var record in ours)
        {
            int match = left.FindIndex(r => DnsClientOracle.SameRecord(r, record));
            Assert.True(match >= 0, $"{section}: LookupClient has no '{record}': {context}");
            left.RemoveAt(match);
        }
    }

    /// <summary>The same question as our own bytes (RD, EDNS 1232), read by all three parsers.</summary>
    private static async Task<DnsMessage> AskAsync(int port, string name, RecordType type, bool tcp)
    {
        var query = DnsMessage.CreateQuery((ushort)Random.Shared.Next(ushort.MaxValue + 1), DnsName.Parse(name), type, new EdnsRecord { UdpPayloadSize = 1232 }).ToArray();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        byte[] reply;
        if (tcp)
        {
            using var client = new TcpClient(AddressFamily.InterNetwork);
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(new byte[] { (byte)(query.Length >> 8), (byte)query.Length }, timeout.Token);
            await stream.WriteAsync(query, timeout.Token);
            var length = new byte[2];
            await stream.ReadExactlyAsync(length, timeout.Token);
            reply = new byte[(length[0] << 8) | length[1]];
            await stream.ReadExactlyAsync(reply, timeout.Token);
        }
        else
        {
            using var client = new UdpClient(AddressFamily.InterNetwork);
            client.Connect(IPAddress.Loopback, port);
            await client.SendAsync(query, timeout.Token);
            reply = (await client.ReceiveAsync(timeout.Token)).Buffer;
        }
        var message = ResponseOracle.AssertParses(reply);
        Assert.Equal((query[0] << 8) | query[1], message.Header.Id);
        return message;
    }
}
