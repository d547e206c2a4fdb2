using ClusterDns.Corefile;
using ClusterDns.Server.Plugins.Forward;

namespace ClusterDns.Server.Tests.Plugins.Forward;

/// <summary><c>max_concurrent_per_client N|fair</c> inside <c>forward</c>.</summary>
public sealed class ForwardClientShareSetupTests
{
    private static ForwardOptions Parse(string text) => ForwardSetup.Parse(TestDns.Directive(text), p => p);

    [Theory]
    [InlineData("forward . 1.2.3.4 {\n max_concurrent 1000\n}", ForwardOptions.FairShare)]
    [InlineData("forward . 1.2.3.4 {\n max_concurrent 1000\n max_concurrent_per_client fair\n}", ForwardOptions.FairShare)]
    [InlineData("forward . 1.2.3.4 {\n max_concurrent 1000\n max_concurrent_per_client 50\n}", 50)]
    [InlineData("forward . 1.2.3.4 {\n max_concurrent_per_client 0\n max_concurrent 1000\n}", 0)]
    public void Per_client_share(string text, int expected)
    {
        var options = Parse(text);
        Assert.Equal(1000, options.MaxConcurrent);
        Assert.Equal(expected, options.MaxConcurrentPerClient);
    }

    [Theory]
    [InlineData("forward . 1.2.3.4 {\n max_concurrent_per_client 10\n}", "set 'max_concurrent N' too")]
    [InlineData("forward . 1.2.3.4 {\n max_concurrent 10\n max_concurrent_per_client -1\n}", "out of range")]
    [InlineData("forward . 1.2.3.4 {\n max_concurrent 10\n max_concurrent_per_client half\n}", "half")]
    [InlineData("forward . 1.2.3.4 {\n max_concurrent 10\n max_concurrent_per_client\n}", "'max_concurrent_per_client' expects")]
    public void Bad_per_client_share_is_an_error_with_the_line(string text, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => Parse(text));
        Assert.Contains(reason, error.Message);
        Assert.StartsWith("Corefile:", error.Message);
    }
}
