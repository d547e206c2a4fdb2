using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using ClusterDns.Testing.Oracles;

namespace ClusterDns.Server.Tests.Http;

/// <summary>
/// The real server in-process, as the executable wires it (ProcessServices, DnsServer, DnsHostedService), from a
/// Corefile in a temporary folder with the zone files of testdata/ops; DNS on port 0, HTTP on 127.0.0.1:0.
/// </summary>
internal sealed class OperabilityHarness : IAsyncDisposable
{
    public static readonly IPEndPoint HttpAddress = new(IPAddress.Loopback, 0);

    private readonly string _directory;
    private bool _stopped;

    private OperabilityHarness(string directory, DnsHostedService hosted)
    {
        _directory = directory;
        Hosted = hosted;
    }

    public DnsHostedService Hosted { get; }

    public ProcessServices Services => Hosted.Services;

    public string CorefilePath => Path.Combine(_directory, "Corefile");

    public static Task<OperabilityHarness> StartAsync(string corefile, PluginRegistry? plugins = null) =>
        StartInAsync(CreateDirectory(corefile), plugins);

    /// <summary>Starts from the Corefile already in <paramref name="directory"/> (e.g. a ConfigMap-style symlink).</summary>
    public static async Task<OperabilityHarness> StartInAsync(string directory, PluginRegistry? plugins = null)
    {
        var services = new ProcessServices(NullLoggerFactory.Instance);
        var server = new DnsServer(NullLoggerFactory.Instance, services.Observer);
        var hosted = new DnsHostedService(new DnsServerOptions(Path.Combine(directory, "Corefile"), null), server, NullLoggerFactory.Instance, services, plugins: plugins);
        await hosted.StartAsync(CancellationToken.None);
        return new OperabilityHarness(directory, hosted);
    }

    /// <summary>A folder with the Corefile and the zone files it names.</summary>
    public static string CreateDirectory(string corefile)
    {
        var directory = Path.Combine(Path.GetTempPath(), "clusterdns-ops-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        foreach (var zone in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "testdata", "ops")))
        {
            File.Copy(zone, Path.Combine(directory, Path.GetFileName(zone)));
        }
        File.WriteAllText(Path.Combine(directory, "Corefile"), corefile);
        return directory;
    }

    /// <summary>Replaces the Corefile the way a ConfigMap volume does: a new file renamed over the old one.</summary>
    public void WriteCorefile(string text) => ReplaceFile(CorefilePath, text);

    public static void ReplaceFile(string path, string text)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }

    public IPEndPoint DnsEndPoint => LoopbackOf(Hosted.Server.Listeners.First(l => l.Protocol == "udp").LocalEndPoint);

    public IPEndPoint DnsTcpEndPoint => LoopbackOf(Hosted.Server.Listeners.First(l => l.Protocol == "tcp").LocalEndPoint);

    public Uri HttpUri(string path)
    {
        var bound = Services.Http.GetBoundEndPoint(HttpAddress) ?? throw new InvalidOperationException("no HTTP endpoint on 127.0.0.1:0");
        return new Uri($"http://127.0.0.1:{bound.Port}{path}");
    }

    public Task<DnsMessage> QueryAsync(string name, RecordType type, bool dnssecOk = false) =>
        DnsTestClient.QueryUdpAsync(DnsEndPoint, name, type, dnssecOk);

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await Hosted.StopAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await Hosted.DisposeAsync();
        await Services.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static IPEndPoint LoopbackOf(IPEndPoint endPoint) => new(IPAddress.Loopback, endPoint.Port);
}

/// <summary>A minimal DNS client over real sockets (UDP and TCP) for the operability tests.</summary>
internal static class DnsTestClient
{
    private static int s_id;

    public static byte[] BuildQuery(string name, RecordType type, bool dnssecOk = false) =>
        DnsMessage.CreateQuery((ushort)Interlocked.Increment(ref s_id), DnsName.Parse(name), type, dnssecOk ? new EdnsRecord { DnssecOk = true } : null).ToArray();

    public static async Task<DnsMessage> QueryUdpAsync(IPEndPoint server, string name, RecordType type, bool dnssecOk = false, int timeoutMs = 3000)
    {
        var query = BuildQuery(name, type, dnssecOk);
        using var client = new UdpClient(AddressFamily.InterNetwork);
        client.Connect(server);
        await client.SendAsync(query);
        using var timeout = new CancellationTokenSource(timeoutMs);
        var received = await client.ReceiveAsync(timeout.Token);
        return Parse(received.Buffer, query);
    }

    public static async Task<DnsMessage> QueryTcpAsync(IPEndPoint server, string name, RecordType type, int timeoutMs = 3000)
    {
        var query = BuildQuery(name, type);
        using var timeout = new CancellationTokenSource(timeoutMs);
        using var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(server, timeout.Token);
        var stream = client.GetStream();
        var framed = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        await stream.WriteAsync(framed, timeout.Token);
        var lengthBytes = new byte[2];
        await stream.ReadExactlyAsync(lengthBytes, timeout.Token);
        var response = new byte[BinaryPrimitives.ReadUInt16BigEndian(lengthBytes)];
        await stream.ReadExactlyAsync(response, timeout.Token);
        return Parse(response, query);
    }

    private static DnsMessage Parse(byte[] response, byte[] query)
    {
        var message = ResponseOracle.AssertParses(response);
        Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(query), message.Header.Id);
        return message;
    }
}
