using ClusterDns.Corefile;
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

    [Theory]
    [InlineData("loadbalance")]
    [InlineData("loadbalance round_robin")]
    public void Accepted_lines(string line)
    {
        Assert.Same(LoadBalanceOptions.RoundRobin, LoadBalanceSetup.Parse(PrometheusSetupTests.Directive(line)));
    }

    [Theory]
    [InlineData("loadbalance random", "unknown load balancing policy 'random'")]
    [InlineData("loadbalance round_robin extra", "at most 1 argument")]
    [InlineData("loadbalance round_robin {\n prefer 10.0.0.0/8\n}", "unknown property 'prefer'")]
    public void Rejected_lines(string line, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => LoadBalanceSetup.Parse(PrometheusSetupTests.Directive(line)));
        Assert.Contains(reason, error.Message);
    }
}
