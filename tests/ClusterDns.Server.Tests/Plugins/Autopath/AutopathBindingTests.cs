using System.Net;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Telemetry;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Autopath;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Server.Tests.Plugins.Forward;
using ClusterDns.Server.Tests.Plugins.Kubernetes;
using ClusterDns.Server.Tests.Plugins.Log;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Tests.Plugins.Autopath;

/// <summary>
/// <c>autopath @kubernetes</c> is connected to the block's kubernetes handler at start; without <c>pods verified</c>
/// it warns once, saying why, and passes queries on (CoreDNS's behaviour, which says nothing).
/// </summary>
public sealed class AutopathBindingTests
{
    private static (AutopathHandler Autopath, KubernetesHandler Kubernetes, ClusterZoneFixture Cluster) Chain(string pods)
    {
        var cluster = new ClusterZoneFixture($"kubernetes cluster.local {{ pods {pods} }}");
        cluster.Upsert(new NamespaceObject { Name = "default" });
        cluster.Upsert(ClusterObjects.ClusterIp("default", "web", "10.96.0.5"));
        cluster.Upsert(new PodObject { Namespace = "default", Name = "client", PodIPs = [IPAddress.Parse("10.240.0.1")], Phase = "Running" });
        cluster.Builder.Publish();
        var kubernetes = new KubernetesHandler(cluster.Options, () => cluster.Builder.Current, null, pods: () => cluster.Builder.PodAddresses);
        var autopath = new AutopathHandler(new AutopathOptions { Zones = [DnsName.Root], Plugin = "kubernetes" },
            new AutopathMetrics(new MetricsRegistry(), "dns://:53")) { Next = kubernetes };
        return (autopath, kubernetes, cluster);
    }

    private static async Task<DnsMessage> AskAsync(AutopathHandler autopath, string name)
    {
        var context = TestDns.Context(TestDns.Query(name));
        context.RemoteAddress = new IPEndPoint(IPAddress.Parse("10.240.0.1"), 40000).Serialize();
        var result = await autopath.ServeAsync(context);
        if (!result.IsWritten)
        {
            context.WriteBareResponse(result.Rcode);
        }
        return TestDns.Parse(context.Response);
    }

    [Theory]
    [InlineData("verified", 0, RecordType.CNAME)]
    [InlineData("insecure", 1, null)]
    [InlineData("disabled", 1, null)]
    public async Task Start_binds_the_kubernetes_handler_and_warns_once_without_pods_verified(string pods, int warnings, RecordType? first)
    {
        var (autopath, kubernetes, _) = Chain(pods);
        var logger = new RecordingLogger();
        var binding = new AutopathBinding(autopath, () => [autopath, kubernetes], "Corefile:3", logger);

        var before = await AskAsync(autopath, "web.default.default.svc.cluster.local.");
        await binding.StartAsync(CancellationToken.None);
        var after = await AskAsync(autopath, "web.default.default.svc.cluster.local.");

        // Until bound, nothing is completed (a pipeline takes queries only after its components started).
        Assert.Empty(before.Answers);
        Assert.Equal(first, after.Answers.Select(a => (RecordType?)a.Type).FirstOrDefault());
        var warned = logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToArray();
        Assert.Equal(warnings, warned.Length);
        Assert.All(warned, message =>
        {
            Assert.Contains("Corefile:3", message);
            Assert.Contains("pods verified", message);
            Assert.Contains("unchanged", message);
        });
    }
}
