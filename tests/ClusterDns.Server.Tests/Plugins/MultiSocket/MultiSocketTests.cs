using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Server.Tests.Plugins.MultiSocket;

/// <summary>multisocket: N sockets per protocol share the port, and every one of them is served.</summary>
public sealed class MultiSocketTests
{
    [Fact]
    public async Task Every_socket_sharing_the_port_answers()
    {
        await using var server = await CorefileServer.StartAsync("""
            .:{PORT} {
                bind 127.0.0.1
                multisocket 3
                whoami
            }
            """);

        Assert.Equal(3, BoundSockets("/proc/net/udp", server.Port, state: null));
        Assert.Equal(3, BoundSockets("/proc/net/tcp", server.Port, state: "0A"));

        // The kernel picks the socket by a hash of the client's address and port: 60 clients from 60 ports reach
        // all three (the chance that one socket gets none is 3 × (2/3)^60), and a socket nobody read would leave
        // its share unanswered.
        var answered = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => AskFromNewPortAsync(server.Port, (ushort)(i + 1))));
        Assert.All(answered, Assert.True);
        for (int i = 0; i < 5; i++)
        {
            Assert.Matches(@"IN\s+A\s+127\.0\.0\.1", await DigClient.RunAsync(server.Port, "+tcp whoami.example A"));
        }
    }

    [Theory]
    [InlineData("multisocket 0")]
    [InlineData("multisocket 1025")]
    [InlineData("multisocket 2 3")]
    [InlineData("multisocket many")]
    public async Task Bad_socket_counts_are_errors_with_the_line(string directive)
    {
        var error = await Assert.ThrowsAsync<CorefileException>(() => CorefileServer.StartAsync($".:{{PORT}} {{\n    {directive}\n    whoami\n}}\n"));
        Assert.Contains(":2:", error.Message);
    }

    /// <summary>Sockets of this network namespace bound to 127.0.0.1:port (in the given TCP state).</summary>
    private static int BoundSockets(string table, int port, string? state)
    {
        string local = "0100007F:" + port.ToString("X4", CultureInfo.InvariantCulture);
        return File.ReadLines(table).Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Count(fields => fields[1] == local && (state is null || fields[3] == state));
    }

    private static async Task<bool> AskFromNewPortAsync(int port, ushort id)
    {
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var query = DnsMessage.CreateQuery(id, DnsName.Parse("whoami.example."), RecordType.A).ToArray();
        await client.SendAsync(query, new IPEndPoint(IPAddress.Loopback, port));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            var reply = await client.ReceiveAsync(timeout.Token);
            return DnsMessage.TryParse(reply.Buffer, out var message) == DnsError.None && message.Header.Id == id;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
