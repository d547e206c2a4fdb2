using System.Net;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Transfer;
using ClusterDns.Server.Tests.Support;

namespace ClusterDns.Server.Tests.Plugins.Secondary;

/// <summary>
/// NOTIFY (RFC 1996) reaches only a block's secondary: NOERROR with AA for its zone, NOTAUTH for another name, and
/// NOTIMP from a block without a secondary (no other plugin ever sees a NOTIFY as a query).
/// </summary>
public sealed class NotifyReceiveTests
{
    [Fact]
    public async Task Notify_is_answered_by_the_secondary_of_its_zone_alone()
    {
        await using var server = await CorefileServer.StartAsync("""
            example.org:{PORT} {
                bind 127.0.0.1
                secondary {
                    transfer from 127.0.0.1:9
                }
            }
            other.example:{PORT} {
                bind 127.0.0.1
                whoami
            }
            """);
        var target = new IPEndPoint(IPAddress.Loopback, server.Port);

        Assert.Equal(ResponseCode.NoError, await TransferNotifier.SendAsync(DnsName.Parse("example.org."), target, CancellationToken.None));
        Assert.Equal(ResponseCode.NotAuth, await TransferNotifier.SendAsync(DnsName.Parse("www.example.org."), target, CancellationToken.None));
        Assert.Equal(ResponseCode.NotImp, await TransferNotifier.SendAsync(DnsName.Parse("other.example."), target, CancellationToken.None));
        Assert.Matches("""coredns_secondary_notifies_received_total\{zone="example.org."\} 1""", server.Pipeline.Context.Metrics.Scrape());
    }
}
