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

    /// <summary>A zone source that says when its serial changes (as the cluster zone does at each publish).</summary>
    private sealed class ChangingSource : ClusterDns.Server.Pipeline.DnsHandler, ClusterDns.Server.Zones.ITransferSource
    {
        private Action? _changed;

        public uint Serial { get; set; } = 1;

        public int Watchers { get; private set; }

        public override string Name => "changing";

        public override ValueTask<ClusterDns.Server.Pipeline.HandlerResult> ServeAsync(ClusterDns.Server.Pipeline.DnsQueryContext context) =>
            throw new NotSupportedException();

        public ClusterDns.Server.Zones.TransferCursor? OpenTransfer(ReadOnlySpan<byte> lowerZone) => null;

        public bool TryGetSerial(ReadOnlySpan<byte> lowerZone, out uint serial)
        {
            serial = Serial;
            return true;
        }

        public void WatchChanges(Action changed)
        {
            Watchers++;
            _changed += changed;
        }

        public void Change(uint serial)
        {
            Serial = serial;
            _changed?.Invoke();
        }
    }

    [Fact]
    public async Task A_source_that_says_it_changed_is_notified_at_once_not_at_the_next_periodic_check()
    {
        using var secondary = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        secondary.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var target = (IPEndPoint)secondary.LocalEndPoint!;
        var zone = DnsName.Parse("cluster.local.");
        var source = new ChangingSource();
        var handler = new TransferHandler(new TransferRule([zone], [new TransferPeer(target.Address, target.Port, null)]),
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance) { Next = source };
        // The periodic check comes once at start and then not for an hour: only the change can send the second NOTIFY.
        var notifier = new TransferNotifier(handler, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeSpan.FromHours(1));
        await notifier.StartAsync(CancellationToken.None);
        try
        {
            Assert.Equal(1, source.Watchers);
            var first = await ReceiveWithSenderAsync(secondary); // the zone first seen
            await AnswerAsync(secondary, first);

            source.Change(2);

            // A new NOTIFY has an ID of its own; a late retry of the first (same ID) is answered and skipped.
            var next = await ReceiveWithSenderAsync(secondary);
            while (next.Message.Header.Id == first.Message.Header.Id)
            {
                await AnswerAsync(secondary, next);
                next = await ReceiveWithSenderAsync(secondary);
            }
            Assert.Equal("cluster.local.", next.Message.Questions[0].Name.ToString());
            await AnswerAsync(secondary, next);
        }
        finally
        {
            await notifier.StopAsync(CancellationToken.None);
        }
    }

    private static async Task AnswerAsync(Socket secondary, (DnsMessage Message, EndPoint From) received)
    {
        var reply = new DnsMessage { Header = received.Message.Header };
        reply.Header.IsResponse = true;
        reply.Questions.AddRange(received.Message.Questions);
        await secondary.SendToAsync(reply.ToArray(), received.From);
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
