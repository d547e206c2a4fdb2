using System.Diagnostics;
using System.Net.Sockets;
using ClusterDns.Protocol;
using ClusterDns.Server.Listeners;

namespace ClusterDns.Server.Tests.Listeners;

/// <summary>RFC 7766 connection handling against the real server: idle timeout, connection limit, pipelining.</summary>
public sealed class TcpConnectionTests
{
    [Fact]
    public async Task HalfALengthPrefixThenSilenceIsClosedAfterTheIdleTimeout()
    {
        var idle = TimeSpan.FromMilliseconds(400);
        await using var server = await InProcessDnsServer.StartAsync(tcp: new TcpListenerOptions { ReadTimeout = idle, IdleTimeout = idle });
        using var socket = await server.ConnectTcpAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var clock = Stopwatch.StartNew();

        await socket.SendAsync(new byte[] { 0 }, SocketFlags.None, timeout.Token);
        var response = await InProcessDnsServer.ReadFrameAsync(socket, timeout.Token);

        Assert.Null(response);
        Assert.True(clock.Elapsed >= idle * 0.9, $"closed after {clock.Elapsed}, before the idle timeout");
        await WaitForAsync(() => server.TcpListener.ConnectionCount == 0, timeout.Token);
    }

    [Fact]
    public async Task HalfAMessageThenSilenceIsClosedAfterTheIdleTimeout()
    {
        await using var server = await InProcessDnsServer.StartAsync(tcp: new TcpListenerOptions { ReadTimeout = TimeSpan.FromMilliseconds(400) });
        using var socket = await server.ConnectTcpAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var query = InProcessDnsServer.Frame(new RawPacket(0x2001).Question("www.example.org.", RecordType.A).ToArray());

        await socket.SendAsync(query.AsMemory(0, 10), SocketFlags.None, timeout.Token);

        Assert.Null(await InProcessDnsServer.ReadFrameAsync(socket, timeout.Token));
    }

    [Fact]
    public async Task ConnectionLimitHoldsUnderAFloodAndUdpKeepsAnswering()
    {
        const int limit = 20;
        const int flood = 120;
        await using var server = await InProcessDnsServer.StartAsync(tcp: new TcpListenerOptions { MaxConnections = limit, IdleTimeout = TimeSpan.FromSeconds(60) });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var sockets = new List<Socket>();
        try
        {
            // Every connection beyond the limit is closed by the server (a reset may even beat the connect's
            // completion): its read ends; the others stay open.
            int closed = 0;
            for (int i = 0; i < flood; i++)
            {
                try
                {
                    sockets.Add(await server.ConnectTcpAsync());
                }
                catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionReset)
                {
                    closed++;
                }
            }
            var reads = sockets.Select(s => InProcessDnsServer.ReadFrameAsync(s, timeout.Token)).ToList();
            while (closed < flood - limit)
            {
                var done = await Task.WhenAny(reads);
                reads.Remove(done);
                Assert.Null(await done);
                closed++;
                Assert.True(server.TcpListener.ConnectionCount <= limit, $"{server.TcpListener.ConnectionCount} open connections");
            }

            Assert.Equal(limit, server.TcpListener.ConnectionCount);
            for (int i = 0; i < 20; i++)
            {
                var answer = InProcessDnsServer.Parse(await server.ExchangeUdpAsync(new RawPacket((ushort)(0x3000 + i)).Question("www.example.org.", RecordType.A).ToArray()));
                Assert.Equal(0x3000 + i, answer.Header.Id);
                Assert.Equal(2, answer.Answers.Count);
            }
            Assert.All(reads, r => Assert.False(r.IsCompleted));
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
        // Once the flood is gone, connections are accepted again.
        await WaitForAsync(() => server.TcpListener.ConnectionCount == 0, timeout.Token);
        using var fresh = await server.ConnectTcpAsync();
        await fresh.SendAsync(InProcessDnsServer.Frame(new RawPacket(0x3100).Question("www.example.org.", RecordType.A).ToArray()), SocketFlags.None, timeout.Token);
        Assert.Equal(0x3100, InProcessDnsServer.Parse(await InProcessDnsServer.ReadFrameAsync(fresh, timeout.Token)).Header.Id);
    }

    [Fact]
    public async Task PipelinedQueriesAllGetTheirOwnIdsBack()
    {
        await using var server = await InProcessDnsServer.StartAsync();
        using var socket = await server.ConnectTcpAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        string[] names = ["www.example.org.", "mail.example.org.", "ns1.example.org.", "nothere.example.org."];
        var sent = new Dictionary<ushort, string>();
        var stream = new List<byte>();
        for (int i = 0; i < 200; i++)
        {
            ushort id = (ushort)(0x4000 + i * 7);
            sent[id] = names[i % names.Length];
            stream.AddRange(InProcessDnsServer.Frame(new RawPacket(id).Question(sent[id], RecordType.A).ToArray()));
        }

        // All of them in one write, as a pipelining resolver does.
        await socket.SendAsync(stream.ToArray(), SocketFlags.None, timeout.Token);
        var received = new Dictionary<ushort, DnsMessage>();
        for (int i = 0; i < sent.Count; i++)
        {
            var response = InProcessDnsServer.Parse(await InProcessDnsServer.ReadFrameAsync(socket, timeout.Token));
            Assert.True(received.TryAdd(response.Header.Id, response), $"ID {response.Header.Id:x4} answered twice");
        }

        Assert.Equal(sent.Keys.Order(), received.Keys.Order());
        foreach (var (id, name) in sent)
        {
            var response = received[id];
            Assert.Equal(name, Assert.Single(response.Questions).Name.ToString());
            Assert.Equal(name == "nothere.example.org." ? ResponseCode.NXDomain : ResponseCode.NoError, response.Rcode);
        }
    }

    /// <summary>Polls a counter the server updates when a connection's task ends (no event exposes it).</summary>
    private static async Task WaitForAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(10, cancellationToken);
        }
    }
}
