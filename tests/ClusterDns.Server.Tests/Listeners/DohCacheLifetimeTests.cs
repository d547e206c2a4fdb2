using ClusterDns.Protocol;
using ClusterDns.Server.Listeners;

namespace ClusterDns.Server.Tests.Listeners;

/// <summary>The DoH freshness lifetime read from the wire (CoreDNS's MinimalTTL cases): smallest TTL but OPT, capped, 5 s otherwise.</summary>
public sealed class DohCacheLifetimeTests
{
    public static TheoryData<string, ResponseCode, uint[], uint[], int> Cases => new()
    {
        { "smallest of answer and authority", ResponseCode.NoError, [300, 60], [3600], 60 },
        { "authority smaller", ResponseCode.NoError, [300], [30], 30 },
        { "nxdomain with its soa", ResponseCode.NXDomain, [], [900], 900 },
        { "no records at all", ResponseCode.NoError, [], [], DohCacheLifetime.Fallback },
        { "servfail", ResponseCode.ServFail, [300], [], DohCacheLifetime.Fallback },
        { "refused", ResponseCode.Refused, [], [], DohCacheLifetime.Fallback },
        { "capped at an hour", ResponseCode.NoError, [86400], [], DohCacheLifetime.Maximum },
        { "zero ttl", ResponseCode.NoError, [0, 300], [], 0 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_lifetime_is_the_smallest_ttl(string what, ResponseCode rcode, uint[] answers, uint[] authority, int expected)
    {
        var message = DnsMessage.CreateQuery(1, DnsName.Parse("www.example.org"), RecordType.A, new EdnsRecord());
        message.Header.IsResponse = true;
        message.Rcode = rcode;
        foreach (var ttl in answers)
        {
            message.Answers.Add(new DnsRecord(DnsName.Parse("www.example.org"), ttl, new AData(System.Net.IPAddress.Parse("192.0.2.1"))));
        }
        foreach (var ttl in authority)
        {
            message.Authority.Add(new DnsRecord(DnsName.Parse("example.org"), ttl, new AData(System.Net.IPAddress.Parse("192.0.2.2"))));
        }

        Assert.True(expected == DohCacheLifetime.Seconds(message.ToArray()), what);
    }

    [Fact]
    public void Every_prefix_of_a_message_reads_without_throwing()
    {
        var message = DnsMessage.CreateQuery(1, DnsName.Parse("www.example.org"), RecordType.A);
        message.Header.IsResponse = true;
        message.Answers.Add(new DnsRecord(DnsName.Parse("www.example.org"), 60, new AData(System.Net.IPAddress.Parse("192.0.2.1"))));
        var bytes = message.ToArray();

        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Equal(DohCacheLifetime.Fallback, DohCacheLifetime.Seconds(bytes.AsSpan(0, length)));
        }
        Assert.Equal(60, DohCacheLifetime.Seconds(bytes));
    }
}
