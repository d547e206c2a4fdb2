using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Options;

namespace ClusterDns.Server.Tests.Plugins.Transfer;

/// <summary>
/// Before its first list the cluster zone is not known: a transfer would send an empty zone that a secondary then
/// serves as the truth. The cursor says it is not ready (the transfer plugin answers SERVFAIL, as CoreDNS sends no
/// transfer of a zone without records) and no serial is announced.
/// </summary>
public sealed class UnsyncedClusterTransferTests
{
    [Fact]
    public void Before_the_first_list_the_cluster_zone_is_neither_transferred_nor_announced()
    {
        var options = new KubernetesOptions { Zones = [DnsName.Parse("cluster.local.")] };
        var index = ClusterIndex.Empty(ZoneApex.Build(options, serial: 1));
        var handler = new KubernetesHandler(options, () => index);
        var zone = DnsName.Parse("cluster.local.").Wire;

        var cursor = handler.OpenTransfer(zone);

        Assert.NotNull(cursor);
        Assert.False(cursor.Ready);
        Assert.False(handler.TryGetSerial(zone, out _));
        // Not a zone of ours: not authoritative (the next source is asked).
        Assert.Null(handler.OpenTransfer(DnsName.Parse("svc.cluster.local.").Wire));
        Assert.Null(handler.OpenTransfer(DnsName.Parse("example.org.").Wire));
    }
}
