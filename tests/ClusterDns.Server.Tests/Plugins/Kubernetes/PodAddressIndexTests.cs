using System.Net;
using ClusterDns.Kubernetes;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>
/// The pod address index: after any sequence of pod changes and publishes, each address names the one namespace
/// whose running pods hold it, or none (no pod, or pods of several namespaces), for autopath; and it holds an
/// address for a namespace exactly while a pod of that namespace (any phase) has it, for pods verified names.
/// </summary>
public sealed class PodAddressIndexTests
{
    private static readonly string[] Namespaces = ["default", "prod", "kube-system"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Incremental_changes_give_what_the_pods_say(int seed)
    {
        var random = new Random(seed);
        var cluster = new ClusterZoneFixture("kubernetes cluster.local { pods verified }");
        var pods = new Dictionary<string, PodObject>();
        // A small pool of addresses, so that pods share them (host network, reuse after a delete); one IPv6.
        var addresses = Enumerable.Range(1, 12).Select(i => IPAddress.Parse($"10.0.{i % 3}.{i}")).Append(IPAddress.Parse("fd00::7")).ToArray();
        for (int step = 0; step < 400; step++)
        {
            string key = $"{Namespaces[random.Next(Namespaces.Length)]}/pod{random.Next(15)}";
            if (random.Next(4) == 0)
            {
                pods.Remove(key);
                cluster.Delete(ResourceKind.Pod, key);
            }
            else
            {
                var ns = key[..key.IndexOf('/')];
                var pod = new PodObject
                {
                    Namespace = ns,
                    Name = key[(ns.Length + 1)..],
                    PodIPs = random.Next(5) == 0 ? [addresses[random.Next(addresses.Length)], addresses[^1]] : [addresses[random.Next(addresses.Length)]],
                    Phase = random.Next(6) == 0 ? "Succeeded" : random.Next(6) == 0 ? null : "Running",
                };
                pods[key] = pod;
                cluster.Upsert(pod);
            }
            if (random.Next(5) == 0)
            {
                cluster.Builder.Publish();
                var index = cluster.Builder.PodAddresses;
                foreach (var address in addresses)
                {
                    var holders = pods.Values.Where(p => p.Phase is null or "Running" && p.PodIPs.Contains(address)).Select(p => p.Namespace).Distinct().ToArray();
                    Assert.Equal(holders.Length == 1 ? holders[0] : null, index.NamespaceOf(address));
                    // pods verified names: any pod of the namespace (any phase) holding the address.
                    foreach (var ns in Namespaces)
                    {
                        bool held = pods.Values.Any(p => p.Namespace == ns && p.PodIPs.Contains(address));
                        Assert.Equal(held, index.Holds(address.GetAddressBytes(), [(byte)ns.Length, .. System.Text.Encoding.ASCII.GetBytes(ns)]));
                    }
                }
            }
        }
    }

    [Fact]
    public void Without_pods_verified_nothing_is_kept()
    {
        var cluster = new ClusterZoneFixture("kubernetes cluster.local { pods insecure }");
        cluster.Upsert(new PodObject { Namespace = "default", Name = "a", PodIPs = [IPAddress.Parse("10.0.0.1")] });
        cluster.Builder.Publish();

        Assert.Equal(0, cluster.Builder.PodAddresses.Count);
        Assert.Null(cluster.Builder.PodAddresses.NamespaceOf(IPAddress.Parse("10.0.0.1")));
    }
}
