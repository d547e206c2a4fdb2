using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.LoadBalance;
using ClusterDns.Server.Tests.Http;
using ClusterDns.Server.Tests.Plugins.Prometheus;

namespace ClusterDns.Server.Tests.Plugins.LoadBalance;

public sealed class LoadBalanceHandlerTests
{
    [Fact]
    public async Task Answers_of_the_real_server_rotate_per_response()
    {
        const string corefile = "example.org:0 {\n    loadbalance\n    file example.org.zone\n}\n";
        await using var harness = await OperabilityHarness.StartAsync(corefile);

        var orders = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            var response = await harness.QueryAsync("www.example.org", RecordType.A);
            orders.Add(string.Join(",", response.Answers.Select(r => r.Data.ToString())));
        }

        Assert.Equal(3, orders.Distinct().Count());
        Assert.All(orders, o => Assert.Equal(["192.0.2.1", "192.0.2.2", "192.0.2.3"], o.Split(',').Order()));
    }

    [Fact]
    public async Task A_cname_answer_keeps_the_cname_first()
    {
        const string corefile = "example.org:0 {\n    loadbalance round_robin\n    file example.org.zone\n}\n";
        await using var harness = await OperabilityHarness.StartAsync(corefile);

        for (int i = 0; i < 3; i++)
        {
            var response = await harness.QueryAsync("alias.example.org", RecordType.A);
            Assert.Equal(RecordType.CNAME, response.Answers[0].Type);
            Assert.Equal(4, response.Answers.Count);
        }
    }
}
