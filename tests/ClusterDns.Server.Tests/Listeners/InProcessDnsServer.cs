using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ClusterDns.Protocol;
using ClusterDns.Server.Hosting;
using ClusterDns.Server.Listeners;
using Microsoft.Extensions.Logging.Abstractions;
using ClusterDns.Testing.Oracles;

namespace ClusterDns.Server.Tests.Listeners;

/// <summary>
/// The real <see cref="DnsServer"/> started in-process from a Corefile (with testdata/Zones/example.org.zone beside
/// it) on port 0, and raw-socket helpers to talk to it the way a hostile or careless client would.
/// </summary>
internal sealed class InProcessDnsServer : IAsyncDisposable
{
    public const string DefaultCorefile = """
        example.org:0 {
            file example.org.zone
        }
        """;

    private readonly string _directory;

    private InProcessDnsServer(string directory, DnsServer server)
    {
        _directory = directory;
        Server = server;
    }

    public DnsServer Server { get; }

    public IPEndPoint Udp => Loopback(Server.Listeners.First(l => l.Protocol == "udp").LocalEndPoint);

    public IPEndPoint Tcp => Loopback(Server.Listeners.First(l => l.Protocol == "tcp").LocalEndPoint);

    public TcpDnsListener TcpListener => (TcpDnsListener)Server.Listeners.First(l => l.Protocol == "tcp");

    public static async Task<InProcessDnsServer> StartAsync(string corefile = DefaultCorefile, TcpListenerOptions? tcp = null)
    {
        var directory = Directory.CreateTempSubdirectory("clusterdns-listener-").FullName;
        File.Copy(Path.Combine(AppContext.BaseDirectory, "testdata", "Zones", "example.org.zone"), Path.Combine(directory, "example.org.zone"));
        string path = Path.Combine(directory, "Corefile");
        await File.WriteAllTextAsync(path, corefile);
        var pipeline = new CorefileLoader(NullLoggerFactory.Instance).Load(path);
        var server = new DnsServer(NullLoggerFactory.Instance) { TcpOptions = tcp ?? new TcpListenerOptions() };
        await server.StartAsync(pipeline, CancellationToken.None);
        return new InProcessDnsServer(directory, server);
    }

    /// <summary>Sends datagrams from one socket and returns the first reply (or null when none comes in time).</summary>
    public async Task<byte[]?> ExchangeUdpAsync(byte[] packet, int timeoutMs = 5000)
    {
        using var client = new UdpClient(AddressFamily.InterNetwork);
        client.Connect(Udp);
        await client.SendAsync(packet);
        using var timeout = new CancellationTokenSource(timeoutMs);
        try
        {
            return (await client.ReceiveAsync(timeout.Token)).Buffer;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public async Task<Socket> ConnectTcpAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(Tcp);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static byte[] Frame(byte[] message)
    {
        var framed = new byte[message.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed, 2);
        return framed;
    }

    /// <summary>Reads one framed response; null when the server closes the connection first.</summary>
    public static async Task<byte[]?> ReadFrameAsync(Socket socket, CancellationToken cancellationToken)
    {
        var prefix = new byte[2];
        if (!await ReadExactlyAsync(socket, prefix, cancellationToken))
        {
            return null;
        }
        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        return await ReadExactlyAsync(socket, message, cancellationToken) ? message : null;
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancellationToken);
            }
            catch (SocketException)
            {
                return false;
            }
            if (n == 0)
            {
                return false;
            }
            read += n;
        }
        return true;
    }

    public static DnsMessage Parse(byte[]? response)
    {
        Assert.NotNull(response);
        return ResponseOracle.AssertParses(response);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync(TimeSpan.FromSeconds(1), CancellationToken.None);
        await Server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private static IPEndPoint Loopback(IPEndPoint endPoint) => new(IPAddress.Loopback, endPoint.Port);
}
