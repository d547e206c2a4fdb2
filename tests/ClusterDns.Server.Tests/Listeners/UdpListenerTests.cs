using System.Net;
using System.Net.Sockets;
using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Listeners;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins;
using ClusterDns.Server.Tests.Plugins.Forward;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Listeners;

/// <summary>
/// Both receive loops of the UDP listener: batched (recvmmsg/sendmmsg, Linux) and one datagram per system call
/// (elsewhere). Bursts put many datagrams in one batch; garbage in a batch must not cost the others their answers.
/// </summary>
public sealed class UdpListenerTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_burst_from_many_clients_is_answered_to_each_sender(bool batched)
    {
        // The queries wait in the socket's queue before the listener reads: a batch then holds many senders.
        await using var listener = Create(batched);
        Assert.Equal(batched && OperatingSystem.IsLinux(), listener.IsBatched);
        using var clients = new Clients(8);
        for (int i = 0; i < 50; i++)
        {
            for (int client = 0; client < clients.Length; client++)
            {
                await clients[client].SendAsync(Query(Id(client, i)), listener.LocalEndPoint);
            }
        }
        listener.Start();

        var answered = await Task.WhenAll(clients.Select((client, index) => CountRepliesAsync(client, listener.LocalEndPoint, index, 50)));

        Assert.All(answered, count => Assert.Equal(50, count));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Garbage_among_queries_costs_no_other_query_its_answer(bool batched)
    {
        await using var listener = Start(batched);
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var server = listener.LocalEndPoint;
        for (ushort id = 1; id <= 20; id++)
        {
            await client.SendAsync(new byte[] { 0xde, 0xad }, server);
            await client.SendAsync(Query(id), server);
        }

        var ids = new HashSet<ushort>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (ids.Count < 20)
        {
            var reply = await client.ReceiveAsync(timeout.Token);
            Assert.Equal(DnsError.None, DnsMessage.TryParse(reply.Buffer, out var message));
            ids.Add(message.Header.Id);
        }
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (ushort)i).ToHashSet(), ids);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Each_answer_names_its_own_sender(bool batched)
    {
        // whoami answers with the address and port the listener saw: the sender must be each datagram's own.
        await using var listener = Create(batched);
        using var clients = new Clients(6);
        for (int client = 0; client < clients.Length; client++)
        {
            await clients[client].SendAsync(Query((ushort)(client + 1)), listener.LocalEndPoint);
        }
        listener.Start();
        for (int client = 0; client < clients.Length; client++)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var reply = await clients[client].ReceiveAsync(timeout.Token);
            Assert.Equal(DnsError.None, DnsMessage.TryParse(reply.Buffer, out var message));
            int port = ((IPEndPoint)clients[client].Client.LocalEndPoint!).Port;
            Assert.Contains(message.Additional, r => r.Data is SrvData srv && srv.Port == port);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Answers_that_wait_on_an_upstream_reach_their_senders(bool batched)
    {
        // Forwarded queries leave the receive loop (their context goes with them) and are sent when the upstream answers.
        await using var upstream = new FakeUpstream { Delay = TimeSpan.FromMilliseconds(20) };
        await using var listener = Create(batched, $".:0 {{\n    forward . {upstream.Address}\n}}\n");
        using var clients = new Clients(4);
        for (int i = 0; i < 20; i++)
        {
            for (int client = 0; client < clients.Length; client++)
            {
                await clients[client].SendAsync(Query(Id(client, i), "name" + i + ".example."), listener.LocalEndPoint);
            }
        }
        listener.Start();

        var answered = await Task.WhenAll(clients.Select((client, index) => CountRepliesAsync(client, listener.LocalEndPoint, index, 20)));

        Assert.All(answered, count => Assert.Equal(20, count));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Stopping_ends_every_receive_thread(bool batched)
    {
        var listener = Start(batched);
        Assert.NotNull(await AskAsync(listener.LocalEndPoint));

        await listener.StopAsync(TimeSpan.Zero).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.All(listener.ReceiveThreads, thread => Assert.False(thread.IsAlive));
        await listener.DisposeAsync();
    }

    private static async Task<byte[]?> AskAsync(IPEndPoint server)
    {
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await client.SendAsync(Query(1), server);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return (await client.ReceiveAsync(timeout.Token)).Buffer;
    }

    private static UdpListener Start(bool batched)
    {
        var listener = Create(batched);
        listener.Start();
        return listener;
    }

    private static UdpListener Create(bool batched, string corefileText = ".:0 {\n    whoami\n}\n")
    {
        var corefile = CorefileParser.Parse(corefileText, "Corefile");
        var pipeline = new PipelineBuilder(BuiltInPlugins.CreateRegistry()).Build(corefile, new ServerBuildContext(Path.Combine(Path.GetTempPath(), "Corefile")));
        var processor = new QueryProcessor(pipeline.Listeners[0].Router, NullQueryObserver.Instance, NullLogger.Instance);
        return new UdpListener(new IPEndPoint(IPAddress.Loopback, 0), processor, new QueryContextPool(1232), NullLogger.Instance, loops: 2, batched: batched);
    }

    /// <summary>UDP clients on loopback, each on its own port.</summary>
    private sealed class Clients(int count) : IDisposable
    {
        private readonly UdpClient[] _clients = Enumerable.Range(0, count).Select(_ => new UdpClient(new IPEndPoint(IPAddress.Loopback, 0))).ToArray();

        public int Length => _clients.Length;

        public UdpClient this[int index] => _clients[index];

        public IEnumerable<TResult> Select<TResult>(Func<UdpClient, int, TResult> selector) => _clients.Select(selector);

        public void Dispose()
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }
    }

    private static ushort Id(int client, int query) => (ushort)(client * 1000 + query + 1);

    /// <summary>Replies from the server carrying this client's ids (each counted once), until all came or 10 s passed.</summary>
    private static async Task<int> CountRepliesAsync(UdpClient socket, IPEndPoint server, int client, int count)
    {
        var expected = Enumerable.Range(0, count).Select(i => Id(client, i)).ToHashSet();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int answered = 0;
        try
        {
            while (answered < count)
            {
                var reply = await socket.ReceiveAsync(timeout.Token);
                if (DnsMessage.TryParse(reply.Buffer, out var message) == DnsError.None && expected.Remove(message.Header.Id)
                    && reply.RemoteEndPoint.Equals(server))
                {
                    answered++;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        return answered;
    }

    private static byte[] Query(ushort id, string name = "whoami.example.") => DnsMessage.CreateQuery(id, DnsName.Parse(name), RecordType.A).ToArray();
}
