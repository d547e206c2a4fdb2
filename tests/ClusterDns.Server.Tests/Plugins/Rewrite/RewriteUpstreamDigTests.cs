using System.Collections.Concurrent;
using System.Net;
using System.Text;
using ClusterDns.Protocol;
using ClusterDns.Server.Tests.Plugins.Forward;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Server.Tests.Plugins.Rewrite;

/// <summary>
/// Real dig against a Corefile-built server that forwards to a real UDP/TCP upstream on loopback: an
/// <c>edns0 local set</c> option reaches the upstream (and never the client), and a <c>cname</c> rule turns the
/// upstream's CNAME target into a cluster Service that the server's own kubernetes plugin answers.
/// </summary>
public sealed class RewriteUpstreamDigTests
{
    [Fact]
    public async Task AnEdns0LocalOptionArrivesUpstreamAndNotAtTheClient()
    {
        await using var upstream = new FakeUpstream();
        var seen = new ConcurrentQueue<EdnsRecord?>();
        // The upstream echoes the OPT it got, options included: the client must still see only its own.
        upstream.Respond = query =>
        {
            seen.Enqueue(query.Edns);
            return TestDns.AnswerA(query, 300, "192.0.2.7");
        };
        await using var server = await CorefileServer.StartAsync($$"""
            .:{PORT} {
                bind 127.0.0.1
                rewrite edns0 local set 0xffee abcd
                forward . {{upstream.Address}}
            }
            """);

        var withEdns = await DigClient.RunAsync(server.Port, "+nocookie www.example.org A");
        Assert.Contains("status: NOERROR", withEdns);
        Assert.Matches(@"(?m)^www\.example\.org\.\s+\d+\s+IN\s+A\s+192\.0\.2\.7", withEdns);
        Assert.Contains("OPT PSEUDOSECTION", withEdns);
        Assert.DoesNotContain("65518", withEdns);

        var withoutEdns = await DigClient.RunAsync(server.Port, "+noedns www.example.org A");
        Assert.Contains("status: NOERROR", withoutEdns);
        Assert.Matches(@"(?m)^www\.example\.org\.\s+\d+\s+IN\s+A\s+192\.0\.2\.7", withoutEdns);
        // RFC 6891 §7: no OPT in the reply to a query that had none, although the upstream was sent one.
        Assert.DoesNotContain("OPT PSEUDOSECTION", withoutEdns);

        var received = seen.ToArray();
        Assert.Equal(2, received.Length);
        foreach (var edns in received)
        {
            Assert.NotNull(edns);
            var option = Assert.Single(edns.Options, o => o.Code == 0xffee);
            Assert.Equal("abcd", Encoding.ASCII.GetString(option.Data));
        }
        // The OPT added to the query without EDNS is CoreDNS's: 4096 bytes, DO clear.
        Assert.Equal(4096, received[1]!.UdpPayloadSize);
        Assert.False(received[1]!.DnssecOk);
    }

    [Fact]
    public async Task ACnameTargetFromUpstreamIsRewrittenToAClusterService()
    {
        await using var upstream = new FakeUpstream();
        upstream.Respond = query =>
        {
            var reply = TestDns.AnswerA(query, 300);
            reply.Answers.Add(new DnsRecord(DnsName.Parse("app.example.org."), 60, new CNameData(DnsName.Parse("old.example.net."))));
            reply.Answers.Add(new DnsRecord(DnsName.Parse("old.example.net."), 60, new AData(IPAddress.Parse("192.0.2.50"))));
            return reply;
        };
        await using var server = await CorefileServer.StartAsync($$"""
            .:{PORT} {
                bind 127.0.0.1
                rewrite cname exact old.example.net web.default.svc.cluster.local
                kubernetes cluster.local {
                    manifests cluster
                }
                forward . {{upstream.Address}}
            }
            """,
            new Dictionary<string, string>
            {
                ["cluster/svc.yaml"] = """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: web, namespace: default}
                    spec: {clusterIP: 10.96.0.21, ports: [{name: http, port: 80, protocol: TCP}]}
                    """,
            });
        await server.ClusterSyncedAsync();

        var output = await DigClient.RunAsync(server.Port, "app.example.org A");

        Assert.Contains("status: NOERROR", output);
        Assert.Matches(@"(?m)^app\.example\.org\.\s+60\s+IN\s+CNAME\s+web\.default\.svc\.cluster\.local\.", output);
        Assert.Matches(@"(?m)^web\.default\.svc\.cluster\.local\.\s+\d+\s+IN\s+A\s+10\.96\.0\.21", output);
        Assert.DoesNotContain("old.example.net", output);
        Assert.DoesNotContain("192.0.2.50", output);
    }
}
