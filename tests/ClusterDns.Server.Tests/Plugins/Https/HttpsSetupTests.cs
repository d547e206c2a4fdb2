using ClusterDns.Corefile;
using ClusterDns.Server.Config;
using ClusterDns.Server.Plugins;

namespace ClusterDns.Server.Tests.Plugins.Https;

/// <summary>https parsing: CoreDNS's setup test table restated (limits of a DoH port, 0 for unbounded).</summary>
public sealed class HttpsSetupTests
{
    public static TheoryData<string, int, int> Valid => new()
    {
        { "https", 200, 100 },
        { "https {\n}", 200, 100 },
        { "https {\n max_connections 200\n}", 200, 100 },
        { "https {\n max_streams 100\n}", 200, 100 },
        { "https {\n max_connections 50\n max_streams 10\n}", 50, 10 },
        { "https {\n max_connections 0\n}", 0, 100 },
        { "https {\n max_streams 0\n}", 200, 0 },
        { "https {\n max_streams 2147483647\n}", 200, int.MaxValue },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Valid_blocks_set_the_ports_limits(string directive, int connections, int streams)
    {
        var group = Assert.Single(Build($"https://.:8443 {{\n{directive}\nwhoami\n}}\n").Listeners);

        Assert.Equal(new HttpsSettings { MaxConnections = connections, MaxStreams = streams }, group.Https);
    }

    [Theory]
    [InlineData("https {\n max_connections\n}", ":3:", "expects exactly 1 argument")]
    [InlineData("https {\n max_connections abc\n}", ":3:", "invalid max_connections value")]
    [InlineData("https {\n max_connections -1\n}", ":3:", "must be a non-negative integer")]
    [InlineData("https {\n max_connections 100\n max_connections 200\n}", ":4:", "already defined")]
    [InlineData("https {\n max_streams\n}", ":3:", "expects exactly 1 argument")]
    [InlineData("https {\n max_streams abc\n}", ":3:", "invalid max_streams value")]
    [InlineData("https {\n max_streams -1\n}", ":3:", "must be a non-negative integer")]
    [InlineData("https {\n max_streams 4294967296\n}", ":3:", "must not exceed")]
    [InlineData("https {\n max_streams 100\n max_streams 200\n}", ":4:", "already defined")]
    [InlineData("https {\n unknown_option 123\n}", ":3:", "unknown property")]
    [InlineData("https extra_arg", ":2:", "expects no arguments")]
    public void Bad_blocks_are_errors_with_the_line(string directive, string at, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => Build($"https://.:8443 {{\n{directive}\nwhoami\n}}\n"));

        Assert.Contains("Corefile" + at, error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Https_outside_an_https_block_is_an_error()
    {
        var error = Assert.Throws<CorefileException>(() => Build(".:53 {\nhttps\nwhoami\n}\n"));

        Assert.Contains("Corefile:2:", error.Message);
        Assert.Contains("not one", error.Message);
    }

    private static ServerPipeline Build(string corefile) =>
        new PipelineBuilder(BuiltInPlugins.CreateRegistry()).Build(CorefileParser.Parse(corefile, "Corefile"), new ServerBuildContext("Corefile"));
}
