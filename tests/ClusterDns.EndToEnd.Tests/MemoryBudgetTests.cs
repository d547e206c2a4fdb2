using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ClusterDns.Testing.FakeApiServer;
using ClusterDns.Testing.Peers;
using ClusterDns.Testing.Processes;

namespace ClusterDns.EndToEnd.Tests;

/// <summary>
/// The memory budget (issue 21; docs/performance.md, "Memory budget"): the real executable on kubeadm's default
/// Corefile, listing and watching 10,000 ClusterIP and 1,000 headless Services from the test API server and
/// forwarding outside names to a real Knot, answers a fixed pod-traffic load from dnsperf; its resident memory
/// afterwards (VmRSS) and at its highest (VmHWM, start-up and the first list included) must stay within the
/// budget of the build under test. ./test.sh runs it twice: against the JIT build and against the shipped native
/// one (CLUSTERDNS_BINARY). A budget is the figure measured on the 2-core CI machine plus headroom for noise: a
/// change that adds memory on the path users run fails here instead of in a node's OOM kill.
/// </summary>
public sealed partial class MemoryBudgetTests
{
    private const int ClusterIpServices = 10_000;
    private const int HeadlessServices = 1_000;
    private const int Namespaces = 100;

    /// <summary>MiB: (after the load, at the highest). See docs/performance.md for the measured figures.</summary>
    private static (double Steady, double Peak) Budget => ClusterDnsExecutable.Native is not null
        ? (NativeSteadyMiB, NativePeakMiB)
        : (JitSteadyMiB, JitPeakMiB);

    private const double NativeSteadyMiB = 60, NativePeakMiB = 75;
    private const double JitSteadyMiB = 125, JitPeakMiB = 140;

    private const string Corefile = """
        .:{PORT} {
            bind 127.0.0.1
            errors
            kubernetes cluster.local in-addr.arpa ip6.arpa {
                kubeconfig kubeconfig
                pods insecure
                fallthrough in-addr.arpa ip6.arpa
                ttl 30
            }
            forward . 127.0.0.1:UPSTREAM {
                max_concurrent 1000
            }
            cache 30
            loop
            loadbalance
        }
        """;

    [Fact]
    public async Task Resident_memory_after_pod_traffic_at_10000_Services_is_within_the_budget()
    {
        string dnsperf = ProcessRunner.FindExecutable("dnsperf")
            ?? throw new InvalidOperationException("dnsperf (Debian package 'dnsperf') is not installed; ./test.sh installs it");
        await using var api = await FakeKubernetesApiServer.StartAsync();
        AddCluster(api.Store);
        using var upstream = new KnotDaemon();
        string corefile = Corefile.Replace("UPSTREAM", upstream.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        await using var server = ServerProcess.Start(corefile, dir =>
        {
            File.WriteAllText(Path.Combine(dir, "kubeconfig"), api.KubeConfig());
            File.WriteAllText(Path.Combine(dir, "queries.txt"), PodTraffic());
        });
        await server.WaitUntilAnsweringAsync($"headless{HeadlessServices - 1}.ns{(HeadlessServices - 1) % Namespaces}.svc.cluster.local", "A");
        await server.WaitUntilAnsweringAsync($"svc{ClusterIpServices - 1}.ns{(ClusterIpServices - 1) % Namespaces}.svc.cluster.local", "A");

        // 10 s at 10,000 q/s: 100,000 queries, bounded by dnsperf's own -l and the runner's timeout.
        var load = await ProcessRunner.RunAsync(dnsperf,
            ["-s", "127.0.0.1", "-p", server.Port.ToString(CultureInfo.InvariantCulture), "-d", Path.Combine(server.Directory, "queries.txt"),
             "-l", "10", "-Q", "10000", "-c", "4", "-q", "500", "-t", "5"], timeout: TimeSpan.FromSeconds(60));

        Assert.True(load.ExitCode == 0, load.ToString());
        long completed = ReadNumber(CompletedPattern(), load.Output);
        Assert.True(completed >= 50_000, $"dnsperf completed only {completed} queries: the load did not run\n{load}");
        var (steady, peak) = ResidentMiB(server.ProcessId);
        var (steadyBudget, peakBudget) = Budget;
        string figures = $"{(ClusterDnsExecutable.Native is not null ? "native" : "JIT")} build after {completed} queries: " +
            $"VmRSS {steady:F1} MiB (budget {steadyBudget}), VmHWM {peak:F1} MiB (budget {peakBudget})";
        Console.WriteLine(figures);
        Assert.True(steady <= steadyBudget && peak <= peakBudget, figures);
    }

    /// <summary>The load benchmark's cluster (bench/load/gen_cluster.py) as API objects.</summary>
    private static void AddCluster(FakeResourceStore store)
    {
        for (int n = 0; n < Namespaces; n++)
        {
            store.Apply("namespaces", $$$"""{"metadata":{"name":"ns{{{n}}}"}}""");
        }
        for (int i = 0; i < ClusterIpServices; i++)
        {
            int address = 256 + i;
            string ip = $"10.{96 + (address >> 16)}.{(address >> 8) & 255}.{address & 255}";
            store.Apply("services", $$$"""
                {"metadata":{"name":"svc{{{i}}}","namespace":"ns{{{i % Namespaces}}}"},"spec":{"type":"ClusterIP","clusterIP":"{{{ip}}}","clusterIPs":["{{{ip}}}"],
                 "ports":[{"name":"http","port":80,"protocol":"TCP","targetPort":8080},{"name":"grpc","port":9090,"protocol":"TCP","targetPort":9090}]}}
                """);
        }
        for (int h = 0; h < HeadlessServices; h++)
        {
            string ns = $"ns{h % Namespaces}";
            store.Apply("services", $$$"""
                {"metadata":{"name":"headless{{{h}}}","namespace":"{{{ns}}}"},"spec":{"clusterIP":"None","clusterIPs":["None"],
                 "ports":[{"name":"tcp-app","port":8080,"protocol":"TCP","targetPort":8080}]}}
                """);
            var endpoints = string.Join(",", Enumerable.Range(0, 5).Select(e =>
            {
                int address = 256 + h * 5 + e;
                return $$$"""{"addresses":["10.{{{128 + (address >> 16)}}}.{{{(address >> 8) & 255}}}.{{{address & 255}}}"],"conditions":{"ready":true}}""";
            }));
            store.Apply("endpointslices", $$$"""
                {"metadata":{"name":"headless{{{h}}}-abcde","namespace":"{{{ns}}}","labels":{"kubernetes.io/service-name":"headless{{{h}}}"}},
                 "addressType":"IPv4","endpoints":[{{{endpoints}}}],"ports":[{"name":"tcp-app","port":8080,"protocol":"TCP"}]}
                """);
        }
    }

    /// <summary>
    /// What pods send with <c>search NS.svc.cluster.local svc.cluster.local cluster.local</c> and <c>ndots:5</c>,
    /// A and AAAA for every candidate: half outside names (1,000 distinct, answered by the sample zone's wildcard
    /// through forward and then the cache), half <c>svc.ns</c> short names.
    /// </summary>
    private static string PodTraffic()
    {
        var random = new Random(21);
        var text = new StringBuilder();
        for (int lookup = 0; lookup < 20_000; lookup++)
        {
            string podNamespace = $"ns{random.Next(Namespaces)}";
            string[] candidates;
            if (random.Next(2) == 0)
            {
                string name = $"host{random.Next(1000)}.wild.example.org";
                candidates = [$"{name}.{podNamespace}.svc.cluster.local", $"{name}.svc.cluster.local", $"{name}.cluster.local", name];
            }
            else
            {
                int service = random.Next(ClusterIpServices);
                string shortName = $"svc{service}.ns{service % Namespaces}";
                candidates = [$"{shortName}.{podNamespace}.svc.cluster.local", $"{shortName}.svc.cluster.local"];
            }
            foreach (string candidate in candidates)
            {
                text.Append(candidate).Append(" A\n").Append(candidate).Append(" AAAA\n");
            }
        }
        return text.ToString();
    }

    private static (double Rss, double Peak) ResidentMiB(int pid)
    {
        string status = File.ReadAllText($"/proc/{pid}/status");
        return (ReadNumber(VmRssPattern(), status) / 1024.0, ReadNumber(VmHwmPattern(), status) / 1024.0);
    }

    private static long ReadNumber(Regex pattern, string text)
    {
        var match = pattern.Match(text);
        Assert.True(match.Success, $"no {pattern} in:\n{text}");
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"Queries completed:\s+(\d+)")]
    private static partial Regex CompletedPattern();

    [GeneratedRegex(@"VmRSS:\s+(\d+) kB")]
    private static partial Regex VmRssPattern();

    [GeneratedRegex(@"VmHWM:\s+(\d+) kB")]
    private static partial Regex VmHwmPattern();
}
