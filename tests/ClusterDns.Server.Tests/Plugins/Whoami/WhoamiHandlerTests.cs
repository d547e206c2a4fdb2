using System.Net;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Whoami;
using static ClusterDns.Server.Tests.Zones.ZoneQueryHarness;

namespace ClusterDns.Server.Tests.Plugins.Whoami;

public sealed class WhoamiHandlerTests
{
    public static TheoryData<string, TransportKind, string[]> Cases() => new()
    {
        { "192.0.2.7:40212", TransportKind.Udp, ["example.org. 0 IN A 192.0.2.7", "_udp.example.org. 0 IN SRV 0 0 40212 ."] },
        { "[::ffff:192.0.2.7]:53000", TransportKind.Tcp, ["example.org. 0 IN A 192.0.2.7", "_tcp.example.org. 0 IN SRV 0 0 53000 ."] },
        { "[2001:db8::5]:1234", TransportKind.Udp, ["example.org. 0 IN AAAA 2001:db8::5", "_udp.example.org. 0 IN SRV 0 0 1234 ."] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReportsTheClientInTheAdditionalSection(string client, TransportKind transport, string[] additional)
    {
        var context = CreateContext("example.org.", RecordType.A, transport, client: IPEndPoint.Parse(client));

        var response = Serve(new WhoamiHandler(), context);

        Assert.Equal(ResponseCode.NoError, response.Rcode);
        Assert.True(response.Header.AuthoritativeAnswer);
        Assert.Empty(response.Answers);
        Assert.Equal(SortedLines(additional), Lines(response.Additional));
    }

    [Fact]
    public void AnswersAnyQueryType()
    {
        var response = Query(new WhoamiHandler(), "anything.test.", RecordType.MX, client: IPEndPoint.Parse("192.0.2.8:5353"));

        Assert.Equal(["_udp.anything.test. 0 IN SRV 0 0 5353 .", "anything.test. 0 IN A 192.0.2.8"], Lines(response.Additional));
    }
}
