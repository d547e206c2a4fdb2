using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ClusterDns.Protocol;
using ClusterDns.Server.Tests.Listeners;
using ClusterDns.Server.Tests.Support;

namespace ClusterDns.Server.Tests.Plugins.Timeouts;

/// <summary>timeouts against the real server and a real TCP client on 127.0.0.1: each test awaits the server's close.</summary>
public sealed class TimeoutsTcpTests
{
    [Fact]
    public async Task An_idle_connection_is_closed_after_the_idle_timeout()
    {
        // read is long: a close after about 1 s can only come from idle.
        await using var server = await CorefileServer.StartAsync("""
            .:{PORT} {
                bind 127.0.0.1
                timeouts {
                    read 30s
                    idle 1s
                }
                whoami
            }
            """);
        using var socket = await ConnectAsync(server.Port);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        await SendAsync(socket, 0x5001, timeout.Token);
        Assert.Equal(0x5001, InProcessDnsServer.Parse(await InProcessDnsServer.ReadFrameAsync(socket, timeout.Token)).Header.Id);
        var clock = Stopwatch.StartNew();
        var closed = await InProcessDnsServer.ReadFrameAsync(socket, timeout.Token);

        Assert.Null(closed);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task A_connection_that_sends_nothing_is_closed_after_the_read_timeout()
    {
        await using var server = await CorefileServer.StartAsync("""
            .:{PORT} {
                bind 127.0.0.1
                timeouts {
                    read 1s
                    idle 60s
                }
                whoami
            }
            """);
        using var socket = await ConnectAsync(server.Port);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var clock = Stopwatch.StartNew();

        Assert.Null(await InProcessDnsServer.ReadFrameAsync(socket, timeout.Token));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(8));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Maxtcpqueries_closes_the_connection_after_that_many_answers(int max)
    {
        await using var server = await CorefileServer.StartAsync($$"""
            .:{PORT} {
                bind 127.0.0.1
                timeouts {
                    idle 60s
                    maxtcpqueries {{max}}
                }
                whoami
            }
            """);
        using var socket = await ConnectAsync(server.Port);
        // Far below the 60 s idle timeout: only the query limit can close it in time.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));

        for (int i = 0; i < max; i++)
        {
            await SendAsync(socket, (ushort)(0x6000 + i), timeout.Token);
            Assert.Equal(0x6000 + i, InProcessDnsServer.Parse(await InProcessDnsServer.ReadFrameAsync(socket, timeout.Token)).Header.Id);
        }

        Assert.Null(await InProcessDnsServer.ReadFrameAsync(socket, timeout.Token));
    }

    [Fact]
    public async Task Without_maxtcpqueries_one_connection_keeps_answering()
    {
        await using var server = await CorefileServer.StartAsync("""
            .:{PORT} {
                bind 127.0.0.1
                timeouts {
                    maxtcpqueries -1
                }
                whoami
            }
            """);
        using var socket = await ConnectAsync(server.Port);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));

        for (int i = 0; i < 50; i++)
        {
            await SendAsync(socket, (ushort)(0x7000 + i), timeout.Token);
            Assert.Equal(0x7000 + i, InProcessDnsServer.Parse(await InProcessDnsServer.ReadFrameAsync(socket, timeout.Token)).Header.Id);
        }
    }

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    private static async Task SendAsync(Socket socket, ushort id, CancellationToken cancellationToken)
    {
        var query = DnsMessage.CreateQuery(id, DnsName.Parse("whoami.example."), RecordType.A).ToArray();
        await socket.SendAsync(InProcessDnsServer.Frame(query), SocketFlags.None, cancellationToken);
    }
}
