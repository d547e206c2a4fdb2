using System.Globalization;
using System.Text;
using ClusterDns.Kubernetes;
using ClusterDns.Testing.Files;

namespace ClusterDns.Clients.Tests;

/// <summary>
/// The expected answers, read from the same manifests the server serves (through the project's own manifest
/// reader), so a change to the demo cluster changes the expectations with it.
/// </summary>
internal sealed class DemoCluster
{
    /// <summary>The Service added to the copied demo cluster whose A RRset cannot fit in 512 bytes.</summary>
    public const string LargeHeadlessService = "big-headless";

    public const int LargeHeadlessEndpoints = 200;

    public const string Domain = "cluster.local";

    private readonly List<ServiceObject> _services;
    private readonly List<EndpointSliceObject> _slices;

    private DemoCluster(List<ServiceObject> services, List<EndpointSliceObject> slices)
    {
        _services = services;
        _slices = slices;
    }

    public static DemoCluster Load(string directory)
    {
        var (objects, errors) = ManifestDirectorySource.LoadDirectory(directory);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"{directory}: {string.Join("; ", errors)}");
        }
        return new DemoCluster(objects.OfType<ServiceObject>().ToList(), objects.OfType<EndpointSliceObject>().ToList());
    }

    /// <summary>Copies the repository's demo cluster into <paramref name="directory"/> and adds the large headless Service.</summary>
    public static void Copy(string directory)
    {
        RepositoryPaths.CopyDirectory(RepositoryPaths.DemoCluster, directory);
        File.WriteAllText(Path.Combine(directory, LargeHeadlessService + ".yaml"), LargeHeadlessManifest());
    }

    /// <summary>A headless Service with 200 ready IPv4 endpoints: 200 × 16 bytes of A records need TCP.</summary>
    private static string LargeHeadlessManifest()
    {
        var yaml = new StringBuilder($$"""
            apiVersion: v1
            kind: Service
            metadata: {name: {{LargeHeadlessService}}, namespace: default, resourceVersion: "900"}
            spec:
              clusterIP: None
              clusterIPs: [None]
              ports:
              - {name: http, port: 80, protocol: TCP}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: {{LargeHeadlessService}}-1, namespace: default, labels: {kubernetes.io/service-name: {{LargeHeadlessService}}}, resourceVersion: "901"}
            addressType: IPv4
            ports:
            - {name: http, port: 80, protocol: TCP}
            endpoints:

            """);
        for (int i = 0; i < LargeHeadlessEndpoints; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"- {{addresses: [10.245.{i / 100}.{i % 100 + 1}], conditions: {{ready: true}}}}\n");
        }
        return yaml.ToString();
    }

    public ServiceObject Service(string @namespace, string name) =>
        _services.SingleOrDefault(s => s.Namespace == @namespace && s.Name == name)
        ?? throw new InvalidOperationException($"no Service {@namespace}/{name} in the demo cluster");

    public static string FullName(string @namespace, string service) => $"{service}.{@namespace}.svc.{Domain}";

    /// <summary>
    /// What A and AAAA answer for a Service, as sorted text: its cluster IPs, or for a headless Service the
    /// addresses of its ready endpoints.
    /// </summary>
    public string[] AddressesOf(string @namespace, string name)
    {
        var service = Service(@namespace, name);
        IEnumerable<System.Net.IPAddress> addresses = service.IsHeadless
            ? _slices.Where(s => s.Namespace == @namespace && s.ServiceName == name)
                .SelectMany(s => s.Endpoints)
                .Where(e => e.Ready || service.PublishNotReadyAddresses)
                .SelectMany(e => e.Addresses)
            : service.ClusterIPs;
        return addresses.Select(a => a.ToString()).Distinct().Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The IPv4 addresses alone (a client asking A only).</summary>
    public string[] IPv4AddressesOf(string @namespace, string name) =>
        AddressesOf(@namespace, name).Where(a => !a.Contains(':', StringComparison.Ordinal)).ToArray();

    /// <summary>Services with cluster IPs of one family only, IPv4: their AAAA must be NODATA.</summary>
    public IEnumerable<ServiceObject> IPv4OnlyClusterIPServices() =>
        _services.Where(s => !s.IsHeadless && s.ClusterIPs.Count > 0 && s.ClusterIPs.All(ip => ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork));
}
