using System.Net;
using System.Net.Sockets;
using ClusterDns.Protocol;
using ClusterDns.Testing.Oracles;

namespace ClusterDns.Server.Tests.Support;

/// <summary>One query over a real UDP socket to 127.0.0.1, as a stub resolver sends it; the parsed reply.</summary>
internal static class UdpQuery
{
    public static async Task<DnsMessage> AskAsync(int port, string name, RecordType type = RecordType.A)
    {
        var query = DnsMessage.CreateQuery((ushort)Random.Shared.Next(ushort.MaxValue + 1), DnsName.Parse(name), type, new EdnsRecord { UdpPayloadSize = 1232 });
        using var client = new UdpClient(AddressFamily.InterNetwork);
        client.Connect(new IPEndPoint(IPAddress.Loopback, port));
        await client.SendAsync(query.ToArray());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var reply = (await client.ReceiveAsync(timeout.Token)).Buffer;
        var message = ResponseOracle.AssertParses(reply);
        Assert.Equal(query.Header.Id, message.Header.Id);
        return message;
    }

    /// <summary>The A addresses of the answer section, in order.</summary>
    public static string[] Addresses(DnsMessage message) =>
        message.Answers.Where(r => r.Type == RecordType.A).Select(r => ((AData)r.Data).Address.ToString()).ToArray();
}
