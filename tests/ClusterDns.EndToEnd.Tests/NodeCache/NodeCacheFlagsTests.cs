using System.Net;
using ClusterDns.NodeCache;

namespace ClusterDns.EndToEnd.Tests.NodeCache;

/// <summary>node-cache's command line (kubernetes/dns cmd/node-cache/main.go): its flags, defaults and Go's syntax.</summary>
public sealed class NodeCacheFlagsTests
{
    private static NodeCacheOptions Parse(params string[] args)
    {
        Assert.True(NodeCacheFlags.TryParse(args, out var options, out string? error, out _, folderExists: _ => false), error);
        return options;
    }

    private static string ParseError(params string[] args)
    {
        Assert.False(NodeCacheFlags.TryParse(args, out _, out string? error, out _, folderExists: _ => false));
        return Assert.IsType<string>(error);
    }

    [Fact]
    public void The_defaults_are_node_caches()
    {
        var options = Parse("-localip", "169.254.20.10");

        Assert.Equal([IPAddress.Parse("169.254.20.10")], options.LocalIPs);
        Assert.True(options.SetupInterface);
        Assert.True(options.SetupIptables);
        Assert.False(options.SkipTeardown);
        Assert.Equal("nodelocaldns", options.InterfaceName);
        Assert.Equal(TimeSpan.FromSeconds(60), options.SyncInterval);
        Assert.Equal(new IPEndPoint(IPAddress.Any, 9353), options.MetricsListenAddress);
        Assert.Equal("/etc/coredns/Corefile.base", options.BaseCorefile);
        Assert.Equal("/etc/Corefile", options.Corefile);
        Assert.Null(options.KubeDnsConfigFolder);
        Assert.Equal("kube-dns", options.UpstreamService);
        Assert.Equal(8080, options.HealthPort);
        Assert.Equal(53, options.LocalPort);
        Assert.Null(options.Pidfile);
        Assert.Equal("/etc/resolv.conf", options.ResolvConf);
    }

    [Fact]
    public void The_upstream_daemonset_arguments_parse()
    {
        // The arguments of the DaemonSet (kubernetes/kubernetes cluster/addons/dns/nodelocaldns with the
        // iptables-less variant's flags).
        var options = Parse("-localip", "169.254.20.10,10.96.0.10", "-conf", "/etc/Corefile", "-upstreamsvc", "kube-dns-upstream",
            "-skipteardown=true", "-setupinterface=false", "-setupiptables=false", "-health-port", "8080",
            "-basecorefile", "/etc/coredns/Corefile.base", "-kubednscm", "/etc/kube-dns", "-pidfile", "/tmp/node-cache.pid");

        Assert.Equal(["169.254.20.10", "10.96.0.10"], options.LocalIPTexts);
        Assert.True(options.SkipTeardown);
        Assert.False(options.SetupInterface);
        Assert.False(options.SetupIptables);
        Assert.Equal("kube-dns-upstream", options.UpstreamService);
        Assert.Equal("/etc/kube-dns", options.KubeDnsConfigFolder);
        Assert.Equal("/tmp/node-cache.pid", options.Pidfile);
    }

    private static Func<object, object?> F(Func<NodeCacheOptions, object?> read) => o => read((NodeCacheOptions)o);

    public static TheoryData<string[], Func<object, object?>, object?> Syntax => new()
    {
        { ["-localip=169.254.20.10"], F(o => o.LocalIPTexts[0]), "169.254.20.10" },
        { ["--localip", "169.254.20.10"], F(o => o.LocalIPTexts[0]), "169.254.20.10" },
        { ["--localip=169.254.20.10", "-skipteardown"], F(o => o.SkipTeardown), true },
        { ["-localip=169.254.20.10", "-setupiptables=0"], F(o => o.SetupIptables), false },
        { ["-localip=169.254.20.10", "-setupiptables=F"], F(o => o.SetupIptables), false },
        { ["-localip=169.254.20.10", "-setupinterface=TRUE"], F(o => o.SetupInterface), true },
        // node-cache multiplies the parsed duration by a second: 5ns is 5 s.
        { ["-localip=169.254.20.10", "-syncinterval=5ns"], F(o => o.SyncInterval), TimeSpan.FromSeconds(5) },
        { ["-localip=169.254.20.10", "-syncinterval", "2"], F(o => o.SyncInterval), TimeSpan.FromSeconds(2) },
        // -conf (CoreDNS's flag) wins over -corefile, as node-cache reads it last.
        { ["-localip=169.254.20.10", "-corefile", "/a", "-conf", "/b"], F(o => o.Corefile), "/b" },
        { ["-localip=169.254.20.10", "-corefile", "/a"], F(o => o.Corefile), "/a" },
        { ["-localip=169.254.20.10", "-dns.port", "1053"], F(o => o.LocalPort), 1053 },
        { ["-localip=169.254.20.10", "-metrics-listen-address", ":9999"], F(o => o.MetricsListenAddress), new IPEndPoint(IPAddress.Any, 9999) },
        { ["-localip=169.254.20.10", "-metrics-listen-address=127.0.0.1:9353"], F(o => o.MetricsListenAddress), new IPEndPoint(IPAddress.Loopback, 9353) },
        { ["-localip=fd00::10,fd00::53"], F(o => o.IsIPv6), true },
        { ["-localip=169.254.20.10", "-initialdelay", "10", "-quiet"], F(o => o.LocalPort), 53 },
        // Parsing stops at "--".
        { ["-localip=169.254.20.10", "--"], F(o => o.LocalIPs.Count), 1 },
    };

    [Theory]
    [MemberData(nameof(Syntax))]
    public void Go_flag_syntax_is_read_as_go_reads_it(string[] args, Func<object, object?> read, object? expected)
    {
        Assert.Equal(expected, read(Parse(args)));
    }

    [Theory]
    [InlineData(new[] { "-localip", "169.254.20" }, "-localip: invalid localip specified - \"169.254.20\" is not an IP address")]
    [InlineData(new[] { "-localip", "nodelocal" }, "-localip: invalid localip specified - \"nodelocal\"")]
    [InlineData(new string[0], "-localip: invalid localip specified - \"\"")]
    [InlineData(new[] { "-localip", "169.254.20.10,fd00::10" }, "-localip: unexpected IP Family for localIP - \"fd00::10\"")]
    [InlineData(new[] { "-localip" }, "flag needs an argument: -localip")]
    [InlineData(new[] { "-localip=169.254.20.10", "-nosuchflag" }, "flag provided but not defined: -nosuchflag")]
    [InlineData(new[] { "-localip=169.254.20.10", "-setupiptables=maybe" }, "invalid boolean value \"maybe\" for flag -setupiptables")]
    // A boolean never takes the next word: "false" is then an extra argument, as Go leaves it.
    [InlineData(new[] { "-localip=169.254.20.10", "-setupiptables", "false" }, "extra command line arguments: false")]
    [InlineData(new[] { "-localip=169.254.20.10", "-health-port", "http" }, "-health-port: invalid healthcheck port specified - \"http\"")]
    [InlineData(new[] { "-localip=169.254.20.10", "-dns.port", "99999" }, "-dns.port: invalid port specified")]
    [InlineData(new[] { "-localip=169.254.20.10", "-syncinterval", "1m" }, "invalid value \"1m\" for flag -syncinterval")]
    [InlineData(new[] { "-localip=169.254.20.10", "-metrics-listen-address", "metrics" }, "-metrics-listen-address: \"metrics\" is not IP:PORT")]
    [InlineData(new[] { "-localip=169.254.20.10", "-interfacename", "a-name-longer-than-15" }, "-interfacename:")]
    [InlineData(new[] { "-localip=169.254.20.10", "-setupebtables" }, "-setupebtables: ebtables rules (bridge mode) are not supported")]
    [InlineData(new[] { "---localip=169.254.20.10" }, "bad flag syntax: ---localip=169.254.20.10")]
    public void Bad_input_is_an_error_naming_the_flag(string[] args, string expected)
    {
        Assert.StartsWith(expected, ParseError(args));
    }

    [Fact]
    public void Help_lists_every_flag_with_its_default()
    {
        Assert.False(NodeCacheFlags.TryParse(["-h"], out _, out string? error, out string? usage));
        Assert.Null(error);
        foreach (string flag in (string[])["localip", "conf", "basecorefile", "kubednscm", "upstreamsvc", "setupinterface", "setupiptables",
            "skipteardown", "syncinterval", "interfacename", "health-port", "metrics-listen-address", "pidfile", "corefile", "dns.port"])
        {
            Assert.Contains($"  -{flag}", usage);
        }
        Assert.Contains("(default \"nodelocaldns\")", usage);
    }

    [Fact]
    public void The_kube_dns_folder_defaults_to_etc_kube_dns_when_it_exists()
    {
        Assert.True(NodeCacheFlags.TryParse(["-localip=169.254.20.10"], out var options, out _, out _, folderExists: d => d == "/etc/kube-dns"));
        Assert.Equal("/etc/kube-dns", options.KubeDnsConfigFolder);
    }
}
