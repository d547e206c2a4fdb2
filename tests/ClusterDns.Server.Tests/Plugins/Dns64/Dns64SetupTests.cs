using System.Net;
using ClusterDns.Corefile;
using ClusterDns.Server.Config;
using ClusterDns.Server.Plugins;
using ClusterDns.Server.Plugins.Dns64;
using ClusterDns.Server.Tests.Plugins.Forward;

namespace ClusterDns.Server.Tests.Plugins.Dns64;

/// <summary>Restates coredns/coredns plugin/dns64/setup_test.go (TestSetupDns64, TestSetupDns64PrefixLengths).</summary>
public sealed class Dns64SetupTests
{
    private static Dns64Options Parse(string text) => Dns64Setup.Parse(TestDns.Directive(text));

    public static TheoryData<string, string, bool, bool> ValidCases => new()
    {
        // Corefile lines → prefix, translate_all, allow_ipv4
        { "dns64", "64:ff9b::/96", false, false },
        { "dns64 64:dead::/96", "64:dead::/96", false, false },
        { "dns64 {\n translate_all\n}", "64:ff9b::/96", true, false },
        { "dns64 {\n prefix 64:ff9b::/96\n}", "64:ff9b::/96", false, false },
        { "dns64 {\n prefix 64:ff9b::/32\n}", "64:ff9b::/32", false, false },
        { "dns64 {\n prefix 2002:ac12:b083::/96\n}", "2002:ac12:b083::/96", false, false },
        { "dns64 {\n prefix 2002:c0a8:a88a::/48\n}", "2002:c0a8:a88a::/48", false, false },
        { "dns64 {\n allow_ipv4\n}", "64:ff9b::/96", false, true },
        { "dns64 {\n translate_all\n allow_ipv4\n prefix 64:1337::/96\n}", "64:1337::/96", true, true },
        // The block's prefix wins over the argument (it is read after it), as in CoreDNS.
        { "dns64 64:dead::/96 {\n prefix 64:beef::/64\n}", "64:beef::/64", false, false },
        // Host bits are cleared, as Go's net.ParseCIDR does.
        { "dns64 64:ff9b::1:2/96", "64:ff9b::/96", false, false },
    };

    [Theory]
    [MemberData(nameof(ValidCases))]
    public void Valid_lines_give_these_options(string text, string prefix, bool translateAll, bool allowIpv4)
    {
        var options = Parse(text);
        Assert.Equal((prefix, translateAll, allowIpv4), (options.ToString(), options.TranslateAll, options.AllowIpv4));
    }

    [Theory]
    [InlineData(32, true)]
    [InlineData(40, true)]
    [InlineData(48, true)]
    [InlineData(56, true)]
    [InlineData(64, true)]
    [InlineData(72, false)]
    [InlineData(80, false)]
    [InlineData(88, false)]
    [InlineData(96, true)]
    [InlineData(52, false)]
    [InlineData(104, false)]
    [InlineData(128, false)]
    [InlineData(0, false)]
    public void Only_rfc6052_prefix_lengths_are_accepted(int length, bool valid)
    {
        foreach (var text in new[] { $"dns64 2001:db8::/{length}", $"dns64 {{\n prefix 2001:db8::/{length}\n}}" })
        {
            if (valid)
            {
                Assert.Equal(length, Parse(text).PrefixLength);
            }
            else
            {
                var error = Assert.Throws<CorefileException>(() => Parse(text));
                Assert.Contains("prefix length", error.Message);
            }
        }
    }

    [Theory]
    [InlineData("dns64 foobar {\n prefix 64:ff9b::/96\n}", 2, "invalid prefix 'foobar'")]
    [InlineData("dns64 foobar", 2, "invalid prefix 'foobar'")]
    [InlineData("dns64 {\n foobar\n}", 3, "unknown property 'foobar'")]
    [InlineData("dns64 {\n prefix 8.8.8.8/24\n}", 3, "not an IPv6 prefix")]
    [InlineData("dns64 {\n prefix ::ffff:8.8.8.8/96\n}", 3, "not an IPv6 prefix")]
    [InlineData("dns64 {\n prefix 64:ff9b::\n}", 3, "invalid prefix")]
    [InlineData("dns64 {\n prefix 64:ff9b::/52\n}", 3, "prefix length /52")]
    [InlineData("dns64 {\n prefix 64:ff9b::/104\n}", 3, "prefix length /104")]
    [InlineData("dns64 {\n prefix\n}", 3, "expects exactly 1 argument")]
    [InlineData("dns64 {\n translate_all yes\n}", 3, "expects no arguments")]
    [InlineData("dns64 64:ff9b::/96 64:dead::/96", 2, "expects at most 1 argument")]
    public void Bad_input_is_a_startup_error_with_file_and_line(string text, int line, string reason)
    {
        var document = CorefileParser.Parse($".:53 {{\n{text}\n}}\n", "Corefile");
        var error = Assert.Throws<CorefileException>(() => new PipelineBuilder(BuiltInPlugins.CreateRegistry())
            .Build(document, new ServerBuildContext("Corefile")));
        Assert.Contains($"Corefile:{line}:", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Dns64_runs_after_log_and_before_rewrite_acl_cache_and_the_zones()
    {
        var order = PluginOrder.Names.ToList();
        int dns64 = order.IndexOf("dns64");
        Assert.True(dns64 > order.IndexOf("log"));
        foreach (var later in new[] { "rewrite", "acl", "cache", "hosts", "kubernetes", "file", "forward" })
        {
            Assert.True(dns64 < order.IndexOf(later), later);
        }
    }

    [Fact]
    public void The_default_prefix_is_the_well_known_prefix()
    {
        Assert.Equal(IPAddress.Parse("64:ff9b::"), new IPAddress(Parse("dns64").Prefix));
    }
}
