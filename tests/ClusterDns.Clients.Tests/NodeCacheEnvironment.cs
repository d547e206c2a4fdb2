using ClusterDns.Testing.Processes;

namespace ClusterDns.Clients.Tests;

/// <summary>
/// A node with NodeLocal DNSCache, in the test's own network namespace: knotd as the node's upstream, a central
/// ClusterDns serving the demo cluster (the kube-dns-upstream Service's endpoint), an interface named
/// <c>nodelocaldns</c> made beforehand as a bridge (this kernel has no dummy links; node-cache adopts an existing
/// one), and <c>clusterdns node-cache</c> with the stock NodeLocal Corefile template on 169.254.20.10 and a
/// kube-dns-like ClusterIP. Pods ask 169.254.20.10.
/// </summary>
public class NodeCacheEnvironment : IAsyncLifetime
{
    public const string LocalAddress = "169.254.20.10";
    public const string ClusterIP = "10.96.0.10";
    public const string InterfaceName = "nodelocaldns";

    /// <summary>Short, so the repair test runs in seconds (node-cache counts -syncinterval=Nns as N seconds).</summary>
    public static readonly TimeSpan SyncInterval = TimeSpan.FromSeconds(2);

    private readonly string _directory = Directory.CreateTempSubdirectory("clusterdns-nodecache-").FullName;
    private readonly TeardownStack _teardown;
    private PodNetwork? _network;
    private ClusterDnsServer? _central;
    private NamespacedDaemon? _nodeCache;

    public NodeCacheEnvironment() => _teardown = new TeardownStack(_directory);

    internal PodNetwork Network => _network ?? throw new InvalidOperationException("not initialized");

    internal ClusterDnsServer Central => _central ?? throw new InvalidOperationException("not initialized");

    internal NamespacedDaemon NodeCache => _nodeCache ?? throw new InvalidOperationException("not initialized");

    internal Pod Pod { get; private set; } = null!;

    internal DemoCluster Cluster { get; private set; } = null!;

    /// <summary>The iptables binary node-cache finds first on its PATH, and the tests read the rules with.</summary>
    protected virtual string Iptables => "iptables";

    /// <summary>The stock NodeLocal Corefile template, as a derived environment may change it.</summary>
    protected virtual string Template(string stock) => stock;

    /// <summary>The mounted kube-dns ConfigMap folder node-cache reads (-kubednscm).</summary>
    internal string KubeDnsFolder => Path.Combine(_directory, "node-cache", "kube-dns");

    public async Task InitializeAsync()
    {
        try
        {
            var central = Path.Combine(_directory, "central");
            DemoCluster.Copy(Path.Combine(central, "demo-cluster"));
            Cluster = DemoCluster.Load(Path.Combine(central, "demo-cluster"));
            _network = _teardown.Push(await PodNetwork.CreateAsync());
            _teardown.Push(await UpstreamServer.StartAsync(_network, Path.Combine(_directory, "upstream")));
            _central = _teardown.Push(await ClusterDnsServer.StartAsync(_network, central, "Corefile.central"));
            await ExecCheckedAsync("ip", "link", "add", InterfaceName, "type", "bridge");
            _nodeCache = _teardown.Push(StartNodeCache(Path.Combine(_directory, "node-cache")));
            await WaitUntilAnsweringWithRulesAsync();
            Pod = new Pod(_network, Path.Combine(_directory, "pod"), LocalAddress);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private NamespacedDaemon StartNodeCache(string directory)
    {
        Directory.CreateDirectory(Path.Combine(directory, "kube-dns"));
        Directory.CreateDirectory(Path.Combine(directory, "bin"));
        var binary = ProcessRunner.FindExecutable(Iptables) ?? throw new InvalidOperationException($"{Iptables} (Debian package 'iptables') is not installed: run ./test.sh");
        File.CreateSymbolicLink(Path.Combine(directory, "bin", "iptables"), binary);
        File.WriteAllText(Path.Combine(directory, "Corefile.base"), Template(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", "Corefile.nodelocal"))));
        File.WriteAllText(Path.Combine(directory, "resolv.conf"), $"nameserver {PodNetwork.UpstreamAddress}\n");
        var dotnet = ProcessRunner.FindExecutable("dotnet") ?? "dotnet";
        return Network.StartDaemon(directory,
            "env", $"KUBE_DNS_UPSTREAM_SERVICE_HOST={PodNetwork.DnsAddress}",
            $"PATH={Path.Combine(directory, "bin")}:{Environment.GetEnvironmentVariable("PATH")}",
            dotnet, Path.Combine(AppContext.BaseDirectory, "clusterdns.dll"), "node-cache",
            "-localip", $"{LocalAddress},{ClusterIP}",
            "-conf", Path.Combine(directory, "Corefile"),
            "-basecorefile", Path.Combine(directory, "Corefile.base"),
            "-kubednscm", Path.Combine(directory, "kube-dns"),
            "-upstreamsvc", "kube-dns-upstream",
            $"-syncinterval={SyncInterval.TotalSeconds}ns",
            "-health-port", "8080",
            "-metrics-listen-address", "127.0.0.1:9353",
            "-pidfile", Path.Combine(directory, "node-cache.pid"),
            "-resolvconf", Path.Combine(directory, "resolv.conf"));
    }

    /// <summary>Both addresses answer a cluster name (through the central server) and the rules are in (bounded).</summary>
    private async Task WaitUntilAnsweringWithRulesAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (NodeCache.HasExited)
            {
                throw new InvalidOperationException("node-cache exited:\n" + NodeCache.Output);
            }
            var probe = await Network.ExecAsync("dig", "@" + LocalAddress, "+time=1", "+tries=1", "kubernetes.default.svc.cluster.local", "A");
            var raw = await IptablesAsync("raw");
            var filter = await IptablesAsync("filter");
            // Every rule of both addresses: the first pass adds them one iptables call at a time.
            bool rulesIn = ((string[])[LocalAddress, ClusterIP]).All(address =>
                ExpectedRawRules(address).All(rule => raw.Contains(rule, StringComparison.Ordinal))
                && ExpectedFilterRules(address).All(rule => filter.Contains(rule, StringComparison.Ordinal)));
            if (probe.Output.Contains("status: NOERROR", StringComparison.Ordinal) && rulesIn)
            {
                return;
            }
            // Poll interval while the process starts; each probe is bounded by dig's timeout.
            await Task.Delay(100);
        }
        throw new TimeoutException("node-cache did not answer with its rules in place within 30 s:\n" + NodeCache.Output);
    }

    /// <summary>node-cache's raw-table rules for one local address, as <c>iptables -S</c> lists them.</summary>
    internal static IEnumerable<string> ExpectedRawRules(string address)
    {
        foreach (var protocol in (string[])["tcp", "udp"])
        {
            yield return $"-A PREROUTING -d {address}/32 -p {protocol} -m {protocol} --dport 53 -j NOTRACK";
            yield return $"-A OUTPUT -s {address}/32 -p {protocol} -m {protocol} --sport 53 -j NOTRACK";
            yield return $"-A OUTPUT -d {address}/32 -p {protocol} -m {protocol} --dport 53 -j NOTRACK";
        }
        yield return $"-A OUTPUT -d {address}/32 -p tcp -m tcp --dport 8080 -j NOTRACK";
    }

    /// <summary>node-cache's filter-table rules for one local address.</summary>
    internal static IEnumerable<string> ExpectedFilterRules(string address)
    {
        foreach (var protocol in (string[])["tcp", "udp"])
        {
            yield return $"-A INPUT -d {address}/32 -p {protocol} -m {protocol} --dport 53 -j ACCEPT";
            yield return $"-A OUTPUT -s {address}/32 -p {protocol} -m {protocol} --sport 53 -j ACCEPT";
        }
    }

    /// <summary><c>iptables -t TABLE -S</c> in the namespace, with the binary node-cache uses.</summary>
    internal async Task<string> IptablesAsync(string table) => (await ExecCheckedAsync(Iptables, "-t", table, "-S")).Output;

    /// <summary>node-cache's own metrics listener (-metrics-listen-address), asked from inside the namespace.</summary>
    internal async Task<string> NodeCacheMetricsAsync() =>
        (await ExecCheckedAsync("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9353 && printf 'GET /metrics HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n' >&3 && cat <&3")).Output;

    internal Task<ProcessResult> ExecCheckedAsync(params string[] argv) =>
        ProcessRunner.RunCheckedAsync("ip", ["netns", "exec", Network.Name, .. argv]);

    public Task DisposeAsync() => _teardown.DisposeAsync();
}

/// <summary>The same node with a Corefile that reloads every 2 s, so a ConfigMap change is served within seconds.</summary>
public sealed class NodeCacheFastReloadEnvironment : NodeCacheEnvironment
{
    protected override string Template(string stock) => stock.Replace("    reload\n", "    reload 2s\n", StringComparison.Ordinal);
}

/// <summary>The same node with iptables-legacy as the binary node-cache finds (iptables-nft is the default one).</summary>
public sealed class NodeCacheLegacyIptablesEnvironment : NodeCacheEnvironment
{
    protected override string Iptables => "iptables-legacy";
}
