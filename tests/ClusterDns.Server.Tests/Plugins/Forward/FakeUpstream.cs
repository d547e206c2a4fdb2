using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Tests.Plugins.Forward;

/// <summary>
/// A tiny DNS server on 127.0.0.1 (UDP and TCP on one port) whose behaviour tests choose: answer, stay silent,
/// truncate over UDP, send spoofed replies first, answer late. Counts the queries it sees per transport.
/// </summary>
internal sealed class FakeUpstream : IAsyncDisposable
{
    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;
    private int _udpQueries;
    private int _tcpQueries;

    public FakeUpstream()
        : this(IPAddress.Loopback)
    {
    }

    /// <summary>On <paramref name="address"/> (127.0.0.2 is loopback too on Linux), on <paramref name="port"/> or a free one.</summary>
    public FakeUpstream(IPAddress address, int port = 0)
    {
        for (int attempt = 0; ; attempt++)
        {
            _udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            _udp.Bind(new IPEndPoint(address, port));
            EndPoint = (IPEndPoint)_udp.LocalEndPoint!;
            _tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                _tcp.Bind(EndPoint);
                break;
            }
            catch (SocketException) when (attempt < 20 && port == 0)
            {
                _udp.Dispose();
                _tcp.Dispose();
            }
        }
        _tcp.Listen(16);
        _udpLoop = Task.Run(UdpLoopAsync);
        _tcpLoop = Task.Run(TcpLoopAsync);
    }

    public IPEndPoint EndPoint { get; }

    public string Address => EndPoint.ToString();

    /// <summary>The answer for a query; null sends nothing. Default: one A 192.0.2.1 record with <see cref="Ttl"/>.</summary>
    public Func<DnsMessage, DnsMessage?>? Respond { get; set; }

    public uint Ttl { get; set; } = 300;

    public bool Silent { get; set; }

    public bool TruncateUdp { get; set; }

    /// <summary>Before the real reply, send one with a wrong ID and one with a wrong question (and a bogus address).</summary>
    public bool SpoofFirst { get; set; }

    public TimeSpan Delay { get; set; }

    public int UdpQueries => Volatile.Read(ref _udpQueries);

    public int TcpQueries => Volatile.Read(ref _tcpQueries);

    public int Queries => UdpQueries + TcpQueries;

    /// <summary>Every question name seen, lower-case, in arrival order.</summary>
    public ConcurrentQueue<string> Names { get; } = new();

    /// <summary>The source address of every query (UDP) and connection (TCP), in arrival order.</summary>
    public ConcurrentQueue<IPAddress> Sources { get; } = new();

    /// <summary>TCP connections accepted.</summary>
    public int TcpConnections => Volatile.Read(ref _tcpConnections);

    private int _tcpConnections;

    /// <summary>IDs of the queries seen.</summary>
    public ConcurrentQueue<ushort> Ids { get; } = new();

    public int CountFor(string name) => Names.Count(n => n == name.ToLowerInvariant());

    private DnsMessage? Answer(DnsMessage query) => Respond is { } respond ? respond(query) : TestDns.AnswerA(query, Ttl, "192.0.2.1");

    private async Task UdpLoopAsync()
    {
        var buffer = new byte[65535];
        while (!_stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stopping.Token);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            if (DnsMessage.TryParse(buffer.AsSpan(0, received.ReceivedBytes), out var query) != DnsError.None || query.Questions.Count != 1)
            {
                continue;
            }
            Interlocked.Increment(ref _udpQueries);
            Record(query);
            var client = received.RemoteEndPoint;
            Sources.Enqueue(((IPEndPoint)client).Address);
            _ = Task.Run(async () =>
            {
                if (Delay > TimeSpan.Zero)
                {
                    await Task.Delay(Delay);
                }
                if (Silent || Answer(query) is not { } reply)
                {
                    return;
                }
                if (SpoofFirst)
                {
                    var wrongId = TestDns.AnswerA(query, Ttl, "203.0.113.66");
                    wrongId.Header.Id = (ushort)(query.Header.Id + 1);
                    await SendAsync(wrongId, client);
                    var wrongQuestion = TestDns.AnswerA(query, Ttl, "203.0.113.66");
                    wrongQuestion.Questions[0] = wrongQuestion.Questions[0] with { Name = DnsName.Parse("spoof.example.") };
                    await SendAsync(wrongQuestion, client);
                }
                if (TruncateUdp)
                {
                    reply.Answers.Clear();
                    reply.Authority.Clear();
                    reply.Additional.Clear();
                    reply.Header.Truncated = true;
                }
                await SendAsync(reply, client);
            });
        }
    }

    private async Task SendAsync(DnsMessage reply, EndPoint client)
    {
        try
        {
            await _udp.SendToAsync(reply.ToArray(), SocketFlags.None, client);
        }
        catch (Exception) when (_stopping.IsCancellationRequested)
        {
        }
    }

    private async Task TcpLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _tcp.AcceptAsync(_stopping.Token);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            Interlocked.Increment(ref _tcpConnections);
            Sources.Enqueue(((IPEndPoint)connection.RemoteEndPoint!).Address);
            _ = Task.Run(() => ServeConnectionAsync(connection));
        }
    }

    private async Task ServeConnectionAsync(Socket connection)
    {
        using var stream = new NetworkStream(connection, ownsSocket: true);
        var length = new byte[2];
        try
        {
            while (true)
            {
                await stream.ReadExactlyAsync(length, _stopping.Token);
                var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
                await stream.ReadExactlyAsync(message, _stopping.Token);
                if (DnsMessage.TryParse(message, out var query) != DnsError.None)
                {
                    return;
                }
                Interlocked.Increment(ref _tcpQueries);
                Record(query);
                if (Delay > TimeSpan.Zero)
                {
                    await Task.Delay(Delay, _stopping.Token);
                }
                if (Silent || Answer(query) is not { } reply)
                {
                    continue;
                }
                var wire = reply.ToArray();
                var framed = new byte[wire.Length + 2];
                BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)wire.Length);
                wire.CopyTo(framed, 2);
                await stream.WriteAsync(framed, _stopping.Token);
            }
        }
        catch (Exception)
        {
            // Closed by the client or by Dispose.
        }
    }

    private void Record(DnsMessage query)
    {
        Names.Enqueue(query.Questions[0].Name.ToString().ToLowerInvariant());
        Ids.Enqueue(query.Header.Id);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _udp.Dispose();
        _tcp.Dispose();
        await Task.WhenAll(_udpLoop, _tcpLoop).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
