using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Server.Tests.Support;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>The request metadata of the kubernetes plugin, as CoreDNS's parseRequest splits a name (parse_test.go).</summary>
public class KubernetesMetadataTests
{
    private static readonly byte[][] Zones = [DnsName.Parse("cluster.local.").Wire.ToArray(), DnsName.Parse("in-addr.arpa.").Wire.ToArray()];

    [Theory]
    // name, kind, namespace, service, endpoint, port, protocol ("" = none)
    [InlineData("_http._tcp.webs.mynamespace.svc.cluster.local.", "svc", "mynamespace", "webs", "", "http", "tcp")]
    [InlineData("*.any.*.any.svc.cluster.local.", "svc", "any", "*", "", "*", "any")]
    [InlineData("1-2-3-4.webs.mynamespace.svc.cluster.local.", "svc", "mynamespace", "webs", "1-2-3-4", "", "")]
    [InlineData("webs.mynamespace.svc.cluster.local.", "svc", "mynamespace", "webs", "", "", "")]
    [InlineData("mynamespace.svc.cluster.local.", "svc", "mynamespace", "", "", "", "")]
    [InlineData("1-2-3-4.mynamespace.pod.cluster.local.", "pod", "mynamespace", "1-2-3-4", "", "", "")]
    [InlineData("Webs.MyNamespace.SVC.Cluster.Local.", "svc", "mynamespace", "webs", "", "", "")]
    [InlineData("svc.cluster.local.", "", "", "", "", "", "")]
    [InlineData("cluster.local.", "", "", "", "", "", "")]
    [InlineData("webs.mynamespace.nope.cluster.local.", "", "", "", "", "", "")]
    [InlineData("a.b.c.webs.mynamespace.svc.cluster.local.", "", "", "", "", "", "")]
    [InlineData("webs.mynamespace.svc.example.org.", "", "", "", "", "", "")]
    public void Request_parts(string name, string kind, string ns, string service, string endpoint, string port, string protocol)
    {
        var context = InProcessQuery.Prepare(name, RecordType.A);

        var parts = KubernetesMetadata.Parse(context, Zones);

        Assert.Equal(kind, parts.Kind ?? "");
        Assert.Equal(ns, parts.Namespace ?? "");
        Assert.Equal(service, parts.Service ?? "");
        Assert.Equal(endpoint, parts.Endpoint ?? "");
        Assert.Equal(port, parts.Port ?? "");
        Assert.Equal(protocol, parts.Protocol ?? "");
    }
}
