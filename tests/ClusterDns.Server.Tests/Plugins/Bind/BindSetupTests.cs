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
    public void BadArgumentsAreErrorsWithTheLine(string corefile, string expected)
    {
        var error = Assert.Throws<CorefileException>(() => Setup(new BindSetup(), corefile, Corefile));

        Assert.Equal(2, error.Line);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    /// <summary>CoreDNS's bind setup_test table, against a fixed list of interfaces.</summary>
    public static TheoryData<string, string[]> Cases() => new()
    {
        { "bind 1.2.3.4", ["1.2.3.4"] },
        { "bind 1.2.3.4 ::5", ["1.2.3.4", "::5"] },
        { "bind ::1 1.2.3.4 ::5 127.9.9.0", ["::1", "1.2.3.4", "::5", "127.9.9.0"] },
        { "bind 1.2.3.4 lo", ["1.2.3.4", "127.0.0.1", "::1"] },
        { "bind lo {\n except 127.0.0.1\n }", ["::1"] },
        { "bind eth0", ["192.0.2.2", "fd00::2"] },
        { "bind eth0 lo {\n except eth0 ::1\n }", ["127.0.0.1"] },
        { "bind 127.0.0.1 127.0.0.1 lo", ["127.0.0.1", "::1"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Addresses_interfaces_and_except(string line, string[] expected)
    {
        var block = Setup(FakeHost(), $". {{\n {line}\n}}\n", Corefile);

        Assert.Equal(expected.Select(IPAddress.Parse), block.BindAddresses);
    }

    [Theory]
    [InlineData("bind 1.2.3.invalid", 2, "neither an IP address")]
    [InlineData("bind ::1 1.2.3.4 ::5 127.9.9.0 noone", 2, "'noone' is neither")]
    [InlineData("bind lo {\n except 127.0.0.1 ::1\n }", 2, "'except' leaves no address")]
    [InlineData("bind lo {\n except\n }", 3, "'except' expects at least 1 argument")]
    [InlineData("bind lo {\n except nowhere0\n }", 3, "'nowhere0' is neither")]
    [InlineData("bind lo {\n only 127.0.0.1\n }", 3, "unknown property 'only'")]
    [InlineData("bind ll0", 2, "no addresses to listen on")]
    public void Bad_lines_are_errors_with_their_line(string line, int errorLine, string expected)
    {
        var error = Assert.Throws<CorefileException>(() => Setup(FakeHost(), $". {{\n {line}\n}}\n", Corefile));

        Assert.Equal(errorLine, error.Line);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_real_loopback_interface_with_except()
    {
        var loopback = NetworkInterface.GetAllNetworkInterfaces().First(i => i.NetworkInterfaceType == NetworkInterfaceType.Loopback);

        var block = Setup(new BindSetup(), $". {{\n bind {loopback.Name} {{\n except 127.0.0.1\n }}\n}}\n", Corefile);

        Assert.DoesNotContain(IPAddress.Loopback, block.BindAddresses);
        Assert.Equal(loopback.GetIPProperties().UnicastAddresses.Select(u => u.Address).Where(a => !a.Equals(IPAddress.Loopback) && !a.IsIPv6LinkLocal).Distinct(),
            block.BindAddresses);
    }

    private static BindSetup FakeHost() => new(() =>
    [
        new HostInterface("lo", [IPAddress.Parse("127.0.0.1"), IPAddress.Parse("::1")]),
        new HostInterface("eth0", [IPAddress.Parse("192.0.2.2"), IPAddress.Parse("fd00::2"), IPAddress.Parse("fe80::fc:ff:fe00:1")]),
        new HostInterface("ll0", [IPAddress.Parse("fe80::1"), IPAddress.Parse("169.254.1.1")]),
    ]);
}
