using System.Net;
using System.Net.Sockets;
using System.Text;
using ClusterDns.Protocol;
using ClusterDns.Server.Listeners;
using ClusterDns.Server.Tests.Support;

namespace ClusterDns.Server.Tests.Plugins.Transfer;

/// <summary>
/// A client that asks for a large zone and stops reading cannot hold the server: other queries and other
/// transfers go on, and once a message waits longer than the write timeout (2 s here) the connection is reset (and the
/// zone snapshot it streamed from released).
/// </summary>
public sealed class SlowTransferClientTests
{
    // ~7 MB on the wire: more than loopback's largest TCP send buffer (4 MiB) plus a small receive buffer.
    private const int Hosts = 300_000;

    [Fact]
    public async Task A_client_that_stops_reading_is_cut_after_the_write_timeout_while_others_are_served()
    {
        var zone = new StringBuilder("$ORIGIN big.test.\n@ 300 IN SOA ns hostmaster 1 7200 1800 86400 60\n@ 300 IN NS ns\nns 300 IN A 192.0.2.1\n");
        for (int i = 0; i < Hosts; i++)
        {
            zone.Append('h').Append(i).Append(" 300 IN A 10.").Append(i >> 16).Append('.').Append((i >> 8) & 255).Append('.').Append(i & 255).Append('\n');
        }
        await using var server = await CorefileServer.StartAsync("""
            big.test:{PORT} {
                bind 127.0.0.1
                timeouts {
                    write 2s
                }
                file big.test.zone
                transfer {
                    to *
                }
            }
            """, new Dictionary<string, string> { ["big.test.zone"] = zone.ToString() });

        using var stalled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await stalled.ConnectAsync(IPAddress.Loopback, server.Port);
        await stalled.SendAsync(AxfrClient.Frame(AxfrClient.Request("big.test", RecordType.AXFR)));

        // Meanwhile the server answers, and another client gets the whole zone.
        var answer = await UdpQuery.AskAsync(server.Port, "h12345.big.test");
        Assert.Equal(["10.0.48.57"], UdpQuery.Addresses(answer));
        var full = AxfrClient.Records(await AxfrClient.TransferAsync(server.Port, "big.test", timeout: TimeSpan.FromSeconds(60)));
        Assert.Equal(Hosts + 4, full.Count);

        // The stalled connection is closed by the server (bounded wait on the listener's own count).
        var tcp = server.Server.Listeners.OfType<TcpDnsListener>().ToArray();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (tcp.Sum(l => l.ConnectionCount) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.Equal(0, tcp.Sum(l => l.ConnectionCount));

        // What reached the client before the reset is a fraction of the zone, never its end.
        long received = 0;
        var buffer = new byte[65536];
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            int n;
            while ((n = await stalled.ReceiveAsync(buffer, SocketFlags.None, cancel.Token)) > 0)
            {
                received += n;
            }
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionReset)
        {
        }
        Assert.InRange(received, 0, Hosts * 23L / 2);
    }
}
