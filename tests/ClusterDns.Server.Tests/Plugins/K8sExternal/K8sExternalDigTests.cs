using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Server.Tests.Plugins.K8sExternal;

/// <summary>
/// The real server from a Corefile, Services with externalIPs and LoadBalancer status read from manifests, and
/// the real dig asking it over UDP and TCP. A load balancer's hostname is followed through the block's own
/// pipeline (here the hosts plugin), as CoreDNS's upstream lookup does.
/// </summary>
public sealed class K8sExternalDigTests
{
    private const string Corefile = """
        .:{PORT} {
            bind 127.0.0.1
            hosts {
                198.51.100.77 lb.cloud.test
                fallthrough
            }
            kubernetes cluster.local {
                manifests cluster
            }
            k8s_external example.org {
                headless
                ttl 30
            }
        }
        """;

    private static readonly Dictionary<string, string> Manifests = new()
    {
        ["cluster/namespaces.yaml"] = """
            apiVersion: v1
            kind: Namespace
            metadata: {name: default}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: kube-system}
            """,
        ["cluster/services.yaml"] = """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default}
            spec:
              clusterIP: 10.96.8.8
              externalIPs: [192.0.2.10]
              ports: [{name: http, port: 80, protocol: TCP}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: lb, namespace: default}
            spec:
              type: LoadBalancer
              clusterIP: 10.96.8.9
              ports: [{name: https, port: 443, protocol: TCP}]
            status:
              loadBalancer:
                ingress: [{ip: 203.0.113.7}, {ip: "2001:db8::7"}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: elb, namespace: default}
            spec:
              type: LoadBalancer
              clusterIP: 10.96.8.10
              ports: [{name: https, port: 443, protocol: TCP}]
            status:
              loadBalancer:
                ingress: [{hostname: lb.cloud.test}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: kube-dns, namespace: kube-system}
            spec:
              clusterIP: 10.96.0.10
              externalIPs: [192.0.2.53]
              ports: [{name: dns, port: 53, protocol: UDP}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: db, namespace: default}
            spec:
              clusterIP: None
              ports: [{name: postgres, port: 5432, protocol: TCP}]
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: db-abcde
              namespace: default
              labels: {kubernetes.io/service-name: db}
            addressType: IPv4
            endpoints:
              - {addresses: [10.244.0.1], hostname: db-0, conditions: {ready: true}}
              - {addresses: [10.244.0.2], hostname: db-1, conditions: {ready: true}}
            ports: [{name: postgres, port: 5432, protocol: TCP}]
            """,
    };

    [Theory]
    [InlineData("")]
    [InlineData("+tcp")]
    public async Task Dig_gets_external_addresses_never_cluster_ips(string transport)
    {
        await using var server = await CorefileServer.StartAsync(Corefile, Manifests);
        await server.ClusterSyncedAsync();

        Assert.Equal(["192.0.2.10"], await DigClient.ShortAsync(server.Port, $"{transport} web.default.example.org A"));
        Assert.Equal(["10.96.8.8"], await DigClient.ShortAsync(server.Port, $"{transport} web.default.svc.cluster.local A"));
        Assert.Equal(["203.0.113.7"], await DigClient.ShortAsync(server.Port, $"{transport} lb.default.example.org A"));
        Assert.Equal(["2001:db8::7"], await DigClient.ShortAsync(server.Port, $"{transport} lb.default.example.org AAAA"));
        Assert.Equal(["0 100 443 lb.default.example.org."], await DigClient.ShortAsync(server.Port, $"{transport} _https._tcp.lb.default.example.org SRV"));
        Assert.Equal(["10.244.0.1", "10.244.0.2"], await DigClient.ShortAsync(server.Port, $"{transport} db.default.example.org A"));
        Assert.Equal(["10.244.0.2"], await DigClient.ShortAsync(server.Port, $"{transport} db-1.db.default.example.org A"));
        Assert.Equal("NXDOMAIN", await DigClient.StatusAsync(server.Port, $"{transport} missing.default.example.org A"));
    }

    [Fact]
    public async Task A_load_balancer_hostname_is_a_cname_followed_to_its_addresses()
    {
        await using var server = await CorefileServer.StartAsync(Corefile, Manifests);
        await server.ClusterSyncedAsync();

        var output = await DigClient.RunAsync(server.Port, "elb.default.example.org A");

        Assert.Contains("status: NOERROR", output);
        Assert.Matches(@"elb\.default\.example\.org\.\s+30\s+IN\s+CNAME\s+lb\.cloud\.test\.", output);
        Assert.Matches(@"lb\.cloud\.test\.\s+\d+\s+IN\s+A\s+198\.51\.100\.77", output);
    }

    [Fact]
    public async Task The_apex_is_a_proper_zone_with_the_name_servers_external_address()
    {
        await using var server = await CorefileServer.StartAsync(Corefile, Manifests);
        await server.ClusterSyncedAsync();

        var soa = await DigClient.RunAsync(server.Port, "example.org SOA");
        Assert.Matches(@"flags: qr aa", soa);
        Assert.Matches(@"example\.org\.\s+30\s+IN\s+SOA\s+ns1\.dns\.example\.org\. hostmaster\.dns\.example\.org\. \d+ 7200 1800 86400 30", soa);
        var ns = await DigClient.RunAsync(server.Port, "example.org NS");
        Assert.Matches(@"example\.org\.\s+30\s+IN\s+NS\s+ns1\.dns\.example\.org\.", ns);
        Assert.Matches(@"ns1\.dns\.example\.org\.\s+30\s+IN\s+A\s+192\.0\.2\.53", ns);
        Assert.Equal(["192.0.2.53"], await DigClient.ShortAsync(server.Port, "ns1.dns.example.org A"));
        var nodata = await DigClient.RunAsync(server.Port, "web.default.example.org TXT");
        Assert.Contains("status: NOERROR", nodata);
        Assert.Matches(@"AUTHORITY SECTION:\s+example\.org\.\s+30\s+IN\s+SOA", nodata);
    }
}
