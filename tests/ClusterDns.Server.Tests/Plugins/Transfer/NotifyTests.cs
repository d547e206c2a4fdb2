using System.Net;
using System.Net.Sockets;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Transfer;
using ClusterDns.Server.Tests.Support;

namespace ClusterDns.Server.Tests.Plugins.Transfer;

/// <summary>
/// NOTIFY (RFC 1996) as CoreDNS's transfer plugin sends it: opcode NOTIFY, AA, the zone's SOA as the question,
/// retried until the secondary answers (three tries); and sent by a running server to its `to` address.
/// </summary>
public sealed class NotifyTests
{
    [Fact]
    public async Task A_notify_is_retried_until_the_secondary_answers()
    {
        using var secondary = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        secondary.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var sending = TransferNotifier.SendAsync(DnsName.Parse("example.org."), (IPEndPoint)secondary.LocalEndPoint!, CancellationToken.None);

        var first = await ReceiveNotifyAsync(secondary);
        // The first try goes unanswered; the second is answered.
        var (second, from) = await ReceiveWithSenderAsync(secondary);
        Assert.Equal(first.Header.Id, second.Header.Id);
        var reply = new DnsMessage { Header = second.Header };
        reply.Header.IsResponse = true;
        reply.Questions.AddRange(second.Questions);
        await secondary.SendToAsync(reply.ToArray(), from);

        Assert.Equal(ResponseCode.NoError, await sending.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_server_notifies_its_to_address_when_it_first_serves_the_zone()
    {
        using var secondary = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        secondary.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)secondary.LocalEndPoint!).Port;
        await using var server = await CorefileServer.StartAsync($$"""
            example.org:{PORT} {
                bind 127.0.0.1
                file example.org.zone
                transfer {
                    to 127.0.0.1:{{port}}
                }
            }
            """, new Dictionary<string, string> { ["example.org.zone"] = FileTransferTests.ExampleOrg });

        var notify = await ReceiveNotifyAsync(secondary);

        Assert.Equal("example.org.", notify.Questions[0].Name.ToString());
    }

    private static async Task<DnsMessage> ReceiveNotifyAsync(Socket secondary) => (await ReceiveWithSenderAsync(secondary)).Message;

    private static async Task<(DnsMessage Message, EndPoint From)> ReceiveWithSenderAsync(Socket secondary)
    {
        var buffer = new byte[512];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var received = await secondary.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
        Assert.Equal(DnsError.None, DnsMessage.TryParse(buffer.AsSpan(0, received.ReceivedBytes), out var message));
        Assert.Equal(Opcode.Notify, message.Header.Opcode);
        Assert.True(message.Header.AuthoritativeAnswer);
        Assert.False(message.Header.IsResponse);
        var question = Assert.Single(message.Questions);
        Assert.Equal(RecordType.SOA, question.Type);
        return (message, received.RemoteEndPoint);
    }
}
