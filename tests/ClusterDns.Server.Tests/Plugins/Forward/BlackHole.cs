using System.Net;
using System.Net.Sockets;

namespace ClusterDns.Server.Tests.Plugins.Forward;

/// <summary>An upstream on loopback that receives every query and never answers: forwards stay in flight.</summary>
internal sealed class BlackHole : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    public BlackHole()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Completes when the next query arrives (it is then surely in flight at the forwarder).</summary>
    public async Task ReceiveAsync()
    {
        var buffer = new byte[4096];
        await _socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(TimeSpan.FromSeconds(10));
    }

    public void Dispose() => _socket.Dispose();
}
