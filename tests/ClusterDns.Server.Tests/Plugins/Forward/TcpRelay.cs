using System.Net;
using System.Net.Sockets;

namespace ClusterDns.Server.Tests.Plugins.Forward;

/// <summary>
/// A TCP relay on loopback that counts the connections it accepts (each one is one TLS handshake of the client
/// behind it) and copies bytes both ways to <c>target</c>. Without a target it accepts and never says a word: a
/// TLS upstream that stalls in the handshake.
/// </summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly IPEndPoint? _target;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Socket> _sockets = new();
    private readonly Task _accepting;
    private int _connections;

    public TcpRelay(IPEndPoint? target)
    {
        _target = target;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _accepting = Task.Run(AcceptLoopAsync);
    }

    public IPEndPoint EndPoint { get; }

    public int Connections => Volatile.Read(ref _connections);

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptAsync(_stopping.Token);
                Interlocked.Increment(ref _connections);
                lock (_sockets)
                {
                    _sockets.Add(client);
                }
                if (_target is not null)
                {
                    _ = RelayAsync(client, _target);
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task RelayAsync(Socket client, IPEndPoint target)
    {
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        lock (_sockets)
        {
            _sockets.Add(upstream);
        }
        try
        {
            await upstream.ConnectAsync(target, _stopping.Token);
            await using var a = new NetworkStream(client, ownsSocket: true);
            await using var b = new NetworkStream(upstream, ownsSocket: true);
            await Task.WhenAny(a.CopyToAsync(b, _stopping.Token), b.CopyToAsync(a, _stopping.Token));
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
            upstream.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        await _accepting;
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }
    }
}
