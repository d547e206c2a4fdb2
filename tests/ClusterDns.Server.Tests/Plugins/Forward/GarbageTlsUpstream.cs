using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace ClusterDns.Server.Tests.Plugins.Forward;

/// <summary>
/// A DNS over TLS upstream on loopback that completes the handshake, reads one framed query per connection and
/// answers with the bytes <c>reply</c> makes of it (framing included, so it may lie), then closes. Counts queries.
/// </summary>
internal sealed class GarbageTlsUpstream : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly TestServerCertificate _certificate;
    private readonly Func<byte[], byte[]> _reply;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private int _queries;

    public GarbageTlsUpstream(TestServerCertificate certificate, Func<byte[], byte[]> reply)
    {
        _certificate = certificate;
        _reply = reply;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _accepting = Task.Run(AcceptLoopAsync);
    }

    public IPEndPoint EndPoint { get; }

    public int Queries => Volatile.Read(ref _queries);

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptAsync(_stopping.Token);
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
            var length = new byte[2];
            await tls.ReadExactlyAsync(length, _stopping.Token);
            var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
            await tls.ReadExactlyAsync(query, _stopping.Token);
            Interlocked.Increment(ref _queries);
            await tls.WriteAsync(_reply(query), _stopping.Token);
            await tls.FlushAsync(_stopping.Token);
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
