using System.Net.Sockets;

namespace ClusterDns.Server.Listeners;

/// <summary>
/// SO_REUSEPORT: several sockets of this process bound to one address and port, the kernel spreading
/// datagrams and connections over them by a hash of the client's address and port, so receive queues and
/// their locks are not shared between cores. Linux only lets sockets of the same user join a port.
/// </summary>
internal static class ReusePort
{
    private const int SolSocket = 1;
    private const int SoReusePort = 15;

    public static void Enable(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("multisocket needs SO_REUSEPORT, which this server uses on Linux only");
        }
        socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
    }
}
