using System.Net;
using System.Net.Sockets;

namespace ClusterDns.Testing.Network;

/// <summary>Ports for servers the tests start on 127.0.0.1.</summary>
public static class FreePorts
{
    /// <summary>A port free for both UDP and TCP on 127.0.0.1 right now (a DNS server binds both).</summary>
    public static int Loopback()
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            int port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            try
            {
                using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // Taken for TCP: try another.
            }
        }
        throw new InvalidOperationException("no port free for both UDP and TCP on 127.0.0.1");
    }
}
