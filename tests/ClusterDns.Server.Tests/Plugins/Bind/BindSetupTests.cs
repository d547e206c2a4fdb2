using System.Net;
using System.Net.NetworkInformation;
using ClusterDns.Corefile;
using ClusterDns.Server.Plugins.Bind;
using static ClusterDns.Server.Tests.Plugins.FilePlugin.PluginSetupHarness;

namespace ClusterDns.Server.Tests.Plugins.Bind;

public sealed class BindSetupTests
{
    private const string Corefile = "/tmp/Corefile";

    [Fact]
    public void AddressesFillTheBlocksBindAddresses()
    {
        var block = Setup(new BindSetup(), ". {\n bind 127.0.0.1 ::1 127.0.0.1\n}\n", Corefile);

        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], block.BindAddresses);
        Assert.Empty(block.Handlers);
    }

    [Fact]
    public void AnInterfaceNameStandsForItsAddresses()
    {
        var loopback = NetworkInterface.GetAllNetworkInterfaces().First(i => i.NetworkInterfaceType == NetworkInterfaceType.Loopback);
        var expected = loopback.GetIPProperties().UnicastAddresses.Select(u => u.Address).ToArray();

        var block = Setup(new BindSetup(), $". {{\n bind {loopback.Name}\n}}\n", Corefile);

        Assert.Contains(IPAddress.Loopback, block.BindAddresses);
        Assert.Equal(expected.Distinct(), block.BindAddresses);
    }

    [Theory]
    [InlineData(". {\n bind\n}\n", "expects at least 1 argument")]
    [InlineData(". {\n bind no-such-interface0\n}\n", "neither an IP address nor a network interface")]
    [InlineData(". {\n bind 10.0.0.0/8\n}\n", "neither an IP address")]
    [InlineData(". {\n bind lo {\n except 127.0.0.1\n }\n}\n", "'except' is not supported")]
    public void BadArgumentsAreErrorsWithTheLine(string corefile, string expected)
    {
        var error = Assert.Throws<CorefileException>(() => Setup(new BindSetup(), corefile, Corefile));

        Assert.Equal(2, error.Line);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
