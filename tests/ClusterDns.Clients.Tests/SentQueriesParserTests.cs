using ClusterDns.Protocol;

namespace ClusterDns.Clients.Tests;

/// <summary>
/// The strace decoder the client tests count queries with, over traces captured from the real clients
/// (testdata/strace): a miscount here would make the retry and TCP assertions meaningless.
/// </summary>
public sealed class SentQueriesParserTests
{
    private static IReadOnlyList<SentQuery> Parse(string file) =>
        SentQueries.Parse(File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "testdata", "strace", file)));

    [Fact]
    public void Glibc_sendmmsg_pairs_and_tcp_retries_after_tc_are_counted_with_their_transport()
    {
        // getent ahosts big-headless.default.svc.cluster.local: four suffixes, A and AAAA on one socket, the
        // truncated answer asked again over TCP (writev after a 2-byte length); glibc redid the whole walk
        // four times, growing its buffer for 200 addresses.
        var queries = Parse("glibc-getent-ahosts-large-headless.txt");

        const string name = "big-headless.default.svc.cluster.local.";
        Assert.Equal(32, queries.Count(q => !q.OverTcp));
        Assert.Equal(8, queries.Count(q => q.OverTcp));
        Assert.All(queries.Where(q => q.OverTcp), q => Assert.Equal(name, q.Name));
        Assert.Equal(4, queries.Count(q => q == new SentQuery(name + "default.svc.cluster.local.", RecordType.AAAA, false)));
    }

    [Fact]
    public void Queries_are_grouped_by_the_call_that_sent_them()
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "testdata", "strace", "glibc-getent-ahosts-large-headless.txt"));

        var calls = SentQueries.ParseCalls(lines);

        // sendmmsg: A and AAAA in one call; the TCP retry too sends both, length-prefixed, in one writev.
        Assert.Equal(16 + 4, calls.Count);
        Assert.All(calls, c => Assert.Equal([RecordType.A, RecordType.AAAA], c.Select(q => q.Type).Order()));
        Assert.Equal(16, calls.Count(c => c.All(q => !q.OverTcp)));
        Assert.Equal(4, calls.Count(c => c.All(q => q.OverTcp)));
    }

    [Fact]
    public void Busybox_writes_on_a_connected_udp_socket_and_its_retransmissions_are_counted()
    {
        // Captured with the upstream down: busybox sent each question three times.
        var queries = Parse("busybox-nslookup-retransmits.txt");

        Assert.Equal(6, queries.Count);
        Assert.All(queries, q => Assert.Equal("kubernetes.default.", q.Name));
        Assert.Equal(3, queries.Count(q => q.Type == RecordType.A));
        Assert.DoesNotContain(queries, q => q.OverTcp);
    }

    [Fact]
    public void Musl_sendto_queries_walk_the_search_list_in_order()
    {
        var queries = Parse("musl-getaddrinfo.txt");

        Assert.Equal(
            [
                "web-service.default.svc.cluster.local.default.svc.cluster.local.",
                "web-service.default.svc.cluster.local.svc.cluster.local.",
                "web-service.default.svc.cluster.local.cluster.local.",
                "web-service.default.svc.cluster.local.",
            ],
            queries.Select(q => q.Name).Distinct());
        Assert.Equal(8, queries.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("123 write(1, \"\\x68\\x69\\x0a\", 3) = 3")]
    [InlineData("123 sendto(3, \"\\x00\\x01\", 2, MSG_NOSIGNAL, NULL, 0) = 2")]
    [InlineData("123 sendto(3, [{nlmsg_len=20, nlmsg_type=RTM_GETADDR}], 20, 0) = 20")]
    public void Lines_without_a_dns_query_count_nothing(string line) => Assert.Empty(SentQueries.Parse([line]));
}
