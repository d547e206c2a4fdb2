using ClusterDns.Corefile;
using ClusterDns.Server.Plugins.LoadBalance;
using ClusterDns.Server.Tests.Plugins.Forward;

namespace ClusterDns.Server.Tests.Plugins.LoadBalance;

/// <summary>CoreDNS's loadbalance setup_test table, restated (file:line in every error).</summary>
public sealed class LoadBalanceSetupTests
{
    private static LoadBalanceOptions Parse(string text) => LoadBalanceSetup.Parse(TestDns.Directive(text));

    [Theory]
    [InlineData("loadbalance", null, 30)]
    [InlineData("loadbalance round_robin", null, 30)]
    [InlineData("loadbalance weighted wfile", "wfile", 30)]
    [InlineData("loadbalance weighted wf {\n reload 10s\n}", "wf", 10)]
    [InlineData("loadbalance weighted wf {\n reload 0s\n}", "wf", 0)]
    public void Accepted_policies(string text, string? weightFile, int reloadSeconds)
    {
        var options = Parse(text);
        Assert.Equal(weightFile, options.WeightFile);
        Assert.Equal(weightFile is not null, options.IsWeighted);
        Assert.Equal(TimeSpan.FromSeconds(reloadSeconds), options.Reload);
        Assert.Empty(options.Prefer);
    }

    [Theory]
    [InlineData("loadbalance weighted weights {\n prefer 192.0.2.0/24 2001:db8::/32\n reload 10s\n}")]
    [InlineData("loadbalance weighted weights {\n reload 10s\n prefer 192.0.2.0/24 2001:db8::/32\n}")]
    public void Prefer_and_reload_in_either_order(string text)
    {
        var options = Parse(text);
        Assert.Equal("weights", options.WeightFile);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Reload);
        Assert.Equal(["192.0.2.0/24", "2001:db8::/32"], options.Prefer.Select(p => p.Text));
    }

    [Fact]
    public void Prefer_with_round_robin()
    {
        var options = Parse("loadbalance {\n prefer 10.9.20.0/24\n prefer 10.9.30.0/24\n}");
        Assert.False(options.IsWeighted);
        Assert.Equal(["10.9.20.0/24", "10.9.30.0/24"], options.Prefer.Select(p => p.Text));
    }

    [Theory]
    [InlineData("loadbalance round_robin {\n reload 10s\n}", "Corefile:3: unknown property 'reload'")]
    [InlineData("loadbalance weighted wfile {\n reload\n}", "Corefile:3: reload duration value is missing")]
    [InlineData("loadbalance weighted wfile {\n prefer invalid\n}", "Corefile:3: invalid CIDR 'invalid'")]
    [InlineData("loadbalance {\n prefer 10.0.0.0/33\n}", "Corefile:3: invalid CIDR")]
    [InlineData("loadbalance fleeb", "Corefile:2: unknown policy 'fleeb'")]
    [InlineData("loadbalance round_robin a", "Corefile:2: unknown property for round_robin")]
    [InlineData("loadbalance weighted", "Corefile:2: missing weight file argument")]
    [InlineData("loadbalance weighted a b", "Corefile:2: unexpected argument")]
    [InlineData("loadbalance weighted wfile {\n susu\n}", "Corefile:3: unknown property 'susu'")]
    [InlineData("loadbalance weighted wfile {\n reload a\n}", "Corefile:3:")]
    [InlineData("loadbalance weighted wfile {\n reload 30s a\n}", "Corefile:3: unexpected argument")]
    public void Rejected_lines(string text, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => Parse(text));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_missing_weight_file_is_a_startup_error_at_its_line()
    {
        var directive = TestDns.Directive("loadbalance weighted /nonexistent/weights");
        var error = Assert.Throws<CorefileException>(() => LoadBalanceSetup.LoadWeights(directive.Args[1], "/nonexistent/weights"));
        Assert.StartsWith("Corefile:2: cannot read weight file '/nonexistent/weights'", error.Message);
    }

    [Fact]
    public void A_bad_weight_file_is_a_startup_error_naming_both_lines()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "www.example.com\n100.64.1.1 3\n100.64.1.2 0\n");
            var directive = TestDns.Directive("loadbalance weighted " + path);
            var error = Assert.Throws<CorefileException>(() => LoadBalanceSetup.LoadWeights(directive.Args[1], path));
            Assert.Equal($"Corefile:2: weight file {path}:3: wrong weight value '0' (expected 1-255)", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
