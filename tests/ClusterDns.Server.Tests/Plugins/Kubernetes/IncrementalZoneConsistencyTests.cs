using System.Net;
using System.Text;
using ClusterDns.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>
/// The zone builder edits entries by reference counts and regenerates an owner's previous records from the
/// objects as they were. Whatever the order of changes, the index it publishes must be exactly the index a
/// fresh builder makes from the same final objects: same names, records, reference counts and child counts.
/// Random but seeded sequences of creations, updates and deletions of every kind, with few addresses and
/// names so that owners share names (PTR of one address, namespaces, endpoint hostnames).
/// </summary>
public sealed class IncrementalZoneConsistencyTests
{
    // kube-system/kube-dns is special: its addresses are the NS name's.
    private static readonly string[] Namespaces = ["a", "b", "c", "kube-system"];
    private static readonly string[] Names = ["web", "db", "api", "cache", "kube-dns"];

    [Theory]
    [InlineData(1, "kubernetes cluster.local in-addr.arpa ip6.arpa { pods verified\n namespace_labels team=x\n endpoint_pod_names }")]
    [InlineData(2, "kubernetes cluster.local in-addr.arpa ip6.arpa { pods insecure\n ignore empty_service\n labels tier=web }")]
    [InlineData(3, "kubernetes cluster.local in-addr.arpa ip6.arpa { namespaces a b }")]
    [InlineData(4, "kubernetes cluster.local 10.in-addr.arpa { pods verified\n ttl 7 }")]
    public void Incremental_publishes_equal_a_fresh_build_of_the_same_objects(int seed, string block)
    {
        var random = new Random(seed);
        var incremental = new ClusterZoneFixture(block);
        var objects = new Dictionary<(ResourceKind, string), object>();
        for (int batch = 0; batch < 150; batch++)
        {
            int changes = random.Next(1, 6);
            for (int i = 0; i < changes; i++)
            {
                var (kind, key, obj) = RandomChange(random);
                if (obj is null)
                {
                    objects.Remove((kind, key));
                    incremental.Delete(kind, key);
                }
                else
                {
                    objects[(kind, key)] = obj;
                    incremental.Upsert(obj);
                }
            }
            incremental.Builder.Publish();

            var fresh = new ClusterZoneFixture(block);
            foreach (var obj in objects.Values)
            {
                fresh.Upsert(obj);
            }
            fresh.Builder.Publish();
            Assert.Equal(Dump(fresh.Builder.Current), Dump(incremental.Builder.Current));
        }
        // Deleting everything leaves only what the zone has without objects.
        foreach (var (kind, key) in objects.Keys.ToArray())
        {
            incremental.Delete(kind, key);
        }
        incremental.Builder.Publish();
        Assert.Equal(Dump(new ClusterZoneFixture(block).Builder.Current), Dump(incremental.Builder.Current));
        Assert.Equal(0, incremental.Builder.StoredEntries);
    }

    internal static (ResourceKind Kind, string Key, object? Object) RandomChange(Random random)
    {
        string ns = Namespaces[random.Next(Namespaces.Length)];
        string name = Names[random.Next(Names.Length)];
        bool delete = random.Next(4) == 0;
        switch (random.Next(5))
        {
            case 0:
            case 1:
                return (ResourceKind.Service, ns + "/" + name, delete ? null : RandomService(random, ns, name));
            case 2:
                string sliceName = name + "-" + random.Next(2);
                return (ResourceKind.EndpointSlice, ns + "/" + sliceName, delete ? null : RandomSlice(random, ns, sliceName));
            case 3:
                return (ResourceKind.Namespace, ns, delete ? null : new NamespaceObject
                {
                    Name = ns,
                    Labels = new Dictionary<string, string> { ["team"] = random.Next(2) == 0 ? "x" : "y" },
                });
            default:
                string pod = name + "-pod";
                return (ResourceKind.Pod, ns + "/" + pod, delete ? null : new PodObject
                {
                    Namespace = ns,
                    Name = pod,
                    PodIPs = [Address(random)],
                });
        }
    }

    private static ServiceObject RandomService(Random random, string ns, string name)
    {
        var ports = new[] { new ServicePort("http", "TCP", 80), new ServicePort("dns", "UDP", 53), new ServicePort(null, "TCP", 9) }
            .Where(_ => random.Next(2) == 0).ToArray();
        return random.Next(4) switch
        {
            0 => new ServiceObject { Namespace = ns, Name = name, Type = "ClusterIP", IsHeadless = true, Ports = ports, PublishNotReadyAddresses = random.Next(2) == 0 },
            1 => new ServiceObject { Namespace = ns, Name = name, Type = "ExternalName", ExternalName = random.Next(2) == 0 ? "example.org" : "db.b.svc.cluster.local" },
            _ => new ServiceObject
            {
                Namespace = ns,
                Name = name,
                Type = "ClusterIP",
                ClusterIPs = random.Next(3) == 0 ? [Address(random), IPAddress.Parse("fd00::" + random.Next(1, 4))] : [Address(random)],
                Ports = ports,
                Labels = new Dictionary<string, string> { ["tier"] = random.Next(2) == 0 ? "web" : "data" },
                HasSelector = true,
                // k8s_external's section: it must survive the builder's decode-and-compose like the rest.
                ExternalIPs = random.Next(3) == 0 ? [Address(random)] : [],
                IngressHostnames = random.Next(4) == 0 ? ["lb.example.com"] : [],
            },
        };
    }

    private static EndpointSliceObject RandomSlice(Random random, string ns, string sliceName)
    {
        // Now and then a large slice: RRsets of many records (the builder indexes those by RDATA).
        bool large = random.Next(8) == 0;
        var endpoints = Enumerable.Range(0, large ? random.Next(20, 40) : random.Next(0, 4)).Select(_ => new EndpointObject
        {
            Addresses = [large ? IPAddress.Parse("10.1.0." + random.Next(1, 60)) : Address(random)],
            Ready = random.Next(3) != 0,
            Hostname = random.Next(3) == 0 ? "host" + random.Next(2) : null,
            TargetPodName = random.Next(2) == 0 ? "pod" + random.Next(3) : null,
        }).ToArray();
        return new EndpointSliceObject
        {
            Namespace = ns,
            Name = sliceName,
            ServiceName = random.Next(5) == 0 ? null : Names[random.Next(Names.Length)],
            AddressType = "IPv4",
            Endpoints = endpoints,
            Ports = random.Next(2) == 0 ? [new ServicePort("http", "TCP", 8080)] : [new ServicePort("metrics", "TCP", 9100)],
        };
    }

    /// <summary>Few addresses, so that owners share reverse names.</summary>
    private static IPAddress Address(Random random) => IPAddress.Parse("10.0.0." + random.Next(1, 6));

    /// <summary>Every entry as text, records sorted within their RRset (the order of a set is not its content).</summary>
    private static string Dump(ClusterIndex index)
    {
        var lines = new List<string>();
        foreach (var entry in index.Entries())
        {
            var text = new StringBuilder();
            text.Append(Protocol.DnsName.FromWire(entry.Name)).Append(" children=").Append(entry.Children).Append(" markers=").Append(entry.Markers);
            var draft = ClusterEntryDraft.Load(entry.Name.ToArray(), entry.Blob);
            foreach (var (type, rdata, references) in draft.Records().OrderBy(r => (ushort)r.Type).ThenBy(r => Convert.ToHexString(r.Rdata)))
            {
                text.Append(' ').Append(type).Append(':').Append(Convert.ToHexString(rdata)).Append('x').Append(references);
            }
            for (int i = 0; i < entry.RRsetCount; i++)
            {
                var rrset = entry.RRsetAt(i);
                var targets = Enumerable.Range(0, rrset.TargetCount).Select(t => Convert.ToHexString(rrset.Target(t))).Order();
                text.Append(" targets(").Append(rrset.Type).Append(")=").AppendJoin(',', targets);
            }
            lines.Add(text.ToString());
        }
        foreach (var service in index.Services())
        {
            // A record's bytes are its whole content (slices are merged in name order, so the order is fixed too).
            lines.Add("service " + Convert.ToHexString(service.Blob));
        }
        lines.Sort(StringComparer.Ordinal);
        return string.Join('\n', lines);
    }
}
