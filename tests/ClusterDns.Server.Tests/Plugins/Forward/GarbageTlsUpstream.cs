using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace ClusterDns.Server.Tests.Plugins.Forward;

/// <summary>
/// A DNS over TLS upstream on loopback that completes the handshake, reads framed queries <c>batch</c> at a time
/// and answers each batch with the bytes <c>reply</c> makes of it (framing included, so it may lie), then closes
/// (or, with <c>batch</c> above 1, reads the next batch). Counts queries and connections.
/// </summary>
internal sealed class GarbageTlsUpstream : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly TestServerCertificate _certificate;
    private readonly Func<IReadOnlyList<byte[]>, byte[]> _reply;
    private readonly int _batch;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private int _queries;
    private int _connections;

    public GarbageTlsUpstream(TestServerCertificate certificate, Func<byte[], byte[]> reply)
        : this(certificate, 1, queries => reply(queries[0]))
    {
    }

    public GarbageTlsUpstream(TestServerCertificate certificate, int batch, Func<IReadOnlyList<byte[]>, byte[]> reply)
    {
        _certificate = certificate;
        _batch = batch;
        _reply = reply;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _accepting = Task.Run(AcceptLoopAsync);
    }

    public IPEndPoint EndPoint { get; }

    public int Queries => Volatile.Read(ref _queries);

    public int Connections => Volatile.Read(ref _connections);

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptAsync(_stopping.Token);
                Interlocked.Increment(ref _connections);
                _ = ServeAsync(client);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(Socket client)
    {
        try
        {
            await using var tls = new SslStream(new NetworkStream(client, ownsSocket: true));
            await tls.AuthenticateAsServerAsync(_certificate.Certificate);
            do
            {
                var queries = new List<byte[]>();
                var length = new byte[2];
                while (queries.Count < _batch)
                {
                    await tls.ReadExactlyAsync(length, _stopping.Token);
                    var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
                    await tls.ReadExactlyAsync(query, _stopping.Token);
                    Interlocked.Increment(ref _queries);
                    queries.Add(query);
                }
                await tls.WriteAsync(_reply(queries), _stopping.Token);
                await tls.FlushAsync(_stopping.Token);
            }
            while (_batch > 1);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or SocketException
            or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        await _accepting;
    }
}
