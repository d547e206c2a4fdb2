using ClusterDns.Corefile;
using ClusterDns.Server.Config;
using ClusterDns.Server.Plugins;

namespace ClusterDns.Server.Tests.Plugins.Timeouts;

/// <summary>timeouts parsing: CoreDNS's setup test table restated, plus maxtcpqueries and blocks sharing a port.</summary>
public sealed class TimeoutsSetupTests
{
    public static TheoryData<string, TcpSettings> Valid => new()
    {
        { "timeouts {\n read 30s\n}", new TcpSettings(Read: TimeSpan.FromSeconds(30)) },
        { "timeouts {\n read 1m\n write 2m\n}", new TcpSettings(Read: TimeSpan.FromMinutes(1), Write: TimeSpan.FromMinutes(2)) },
        { " timeouts {\n idle 1h\n}", new TcpSettings(Idle: TimeSpan.FromHours(1)) },
        // Bare numbers are seconds, as CoreDNS's durations helper reads them.
        { "timeouts {\n read 10\n write 20\n idle 60\n}", new TcpSettings(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(60)) },
        { "timeouts {\n read 1s\n idle 24h\n}", new TcpSettings(Read: TimeSpan.FromSeconds(1), Idle: TimeSpan.FromHours(24)) },
        { "timeouts {\n maxtcpqueries 128\n}", new TcpSettings(MaxQueries: 128) },
        { "timeouts {\n maxtcpqueries -1\n}", new TcpSettings(MaxQueries: -1) },
        { "timeouts {\n max_queries 5\n}", new TcpSettings(MaxQueries: 5) },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Valid_blocks_set_the_ports_tcp_limits(string directive, TcpSettings expected)
    {
        var pipeline = Build($".:53 {{\n{directive}\nwhoami\n}}\n");

        Assert.Equal(expected, Assert.Single(pipeline.Listeners).Tcp);
    }

    [Theory]
    [InlineData("timeouts", ":2:", "no timeouts")]
    [InlineData("timeouts {\n}", ":2:", "no timeouts")]
    [InlineData("timeouts {\n read 10s\n giraffe 30s\n}", ":4:", "unknown property 'giraffe'")]
    [InlineData("timeouts {\n read 10s 20s\n write 30s\n}", ":3:", "expects exactly 1 argument")]
    [InlineData("timeouts {\n write snake\n}", ":3:", "'snake'")]
    [InlineData("timeouts {\n idle 0s\n}", ":3:", "needs to be between")]
    [InlineData("timeouts {\n read 48h\n}", ":3:", "needs to be between")]
    [InlineData("timeouts {\n read 500ms\n}", ":3:", "needs to be between")]
    [InlineData("timeouts 10s {\n read 10s\n}", ":2:", "expects no arguments")]
    [InlineData("timeouts {\n maxtcpqueries 0\n}", ":3:", "positive integer or -1")]
    [InlineData("timeouts {\n maxtcpqueries -2\n}", ":3:", "positive integer or -1")]
    [InlineData("timeouts {\n maxtcpqueries many\n}", ":3:", "not an integer")]
    [InlineData("timeouts {\n maxtcpqueries\n}", ":3:", "expects exactly 1 argument")]
    public void Bad_blocks_are_errors_with_the_line(string directive, string line, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => Build($".:53 {{\n{directive}\nwhoami\n}}\n"));

        Assert.Contains("Corefile" + line, error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Blocks_sharing_a_port_get_the_most_lenient_limit_of_each()
    {
        var pipeline = Build("""
            a.example:53 {
                timeouts {
                    read 5s
                    maxtcpqueries 10
                }
                whoami
            }
            b.example:53 {
                timeouts {
                    read 3s
                    idle 30s
                    maxtcpqueries -1
                }
                whoami
            }
            c.example:53 {
                whoami
            }
            """);

        Assert.Equal(new TcpSettings(Read: TimeSpan.FromSeconds(5), Idle: TimeSpan.FromSeconds(30), MaxQueries: -1), Assert.Single(pipeline.Listeners).Tcp);
    }

    [Fact]
    public void Without_timeouts_the_listener_keeps_its_defaults()
    {
        Assert.Equal(TcpSettings.None, Assert.Single(Build(".:53 {\nwhoami\n}\n").Listeners).Tcp);
    }

    private static ServerPipeline Build(string corefile) =>
        new PipelineBuilder(BuiltInPlugins.CreateRegistry()).Build(CorefileParser.Parse(corefile, "Corefile"), new ServerBuildContext("Corefile"));
}
