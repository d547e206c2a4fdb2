using System.Net;
using ClusterDns.Kubernetes.Manifests;

namespace ClusterDns.Kubernetes.Tests.Manifests;

public sealed class ManifestLoaderTests
{
    private static string TestData(string name) => Path.Combine(AppContext.BaseDirectory, "testdata", "manifests", name);

    private static T Single<T>(IReadOnlyList<object> objects, Func<T, bool> match)
    {
        var matches = objects.OfType<T>().Where(match).ToList(); Assert.Single(matches); return matches[0]; }

    [Fact]
    public void LoadsMultiDocumentYamlListsAndJson()
    {
        var (objects, errors) = ManifestDirectorySource.LoadDirectory(TestData("mixed"));

        Assert.Empty(errors);
        Assert.Equal(3, objects.OfType<ServiceObject>().Count());
        Assert.Equal(2, objects.OfType<EndpointSliceObject>().Count());
        Assert.Single(objects.OfType<PodObject>());
        Assert.Single(objects.OfType<NamespaceObject>());
    }

    [Fact]
    public void ConvertsDualStackClusterIPService()
    {
        var (objects, _) = ManifestDirectorySource.LoadDirectory(TestData("mixed"));
        var web = Single<ServiceObject>(objects, s => s.Name == "web");

        Assert.Equal("shop", web.Namespace);
        Assert.Equal("ClusterIP", web.Type);
        Assert.False(web.IsHeadless);
        Assert.Equal([IPAddress.Parse("10.96.0.20"), IPAddress.Parse("fd00:10:96::20")], web.ClusterIPs);
        Assert.Equal([new ServicePort("http", "TCP", 80), new ServicePort("dns", "UDP", 53)], web.Ports);
        Assert.Equal("web", web.Labels["app"]);
        Assert.Equal("1", web.Labels["tier"]);
    }

    [Fact]
    public void ConvertsHeadlessAndExternalNameServices()
    {
        var (objects, _) = ManifestDirectorySource.LoadDirectory(TestData("mixed"));
        var db = Single<ServiceObject>(objects, s => s.Name == "db");
        var ext = Single<ServiceObject>(objects, s => s.Name == "ext");

        Assert.True(db.IsHeadless);
        Assert.Empty(db.ClusterIPs);
        Assert.True(db.PublishNotReadyAddresses);
        Assert.Equal([new ServicePort(null, "TCP", 5432)], db.Ports);
        Assert.Equal("ExternalName", ext.Type);
        Assert.Equal("example.com", ext.ExternalName);
        Assert.Empty(ext.ClusterIPs);
    }

    [Fact]
    public void ConvertsEndpointSliceWithReadinessAndTargets()
    {
        var (objects, _) = ManifestDirectorySource.LoadDirectory(TestData("mixed"));
        var slice = Single<EndpointSliceObject>(objects, s => s.Name == "db-abc12");

        Assert.Equal("db", slice.ServiceName);
        Assert.Equal("IPv6", slice.AddressType);
        Assert.Equal("42", slice.ResourceVersion);
        Assert.Equal([true, false, true], slice.Endpoints.Select(e => e.Ready));
        Assert.Equal(IPAddress.Parse("fd00:10:244:1::7"), Assert.Single(slice.Endpoints[0].Addresses));
        Assert.Equal("db-0", slice.Endpoints[0].Hostname);
        Assert.Equal("db-0", slice.Endpoints[0].TargetPodName);
        Assert.Equal("node-1", slice.Endpoints[0].NodeName);
        Assert.Null(slice.Endpoints[1].Hostname);
        Assert.Equal([new ServicePort("pg", "TCP", 5432)], slice.Ports); // The port without a number is "all ports": dropped.
    }

    [Fact]
    public void ConvertsLegacyEndpointsIntoOneSlice()
    {
        var (objects, _) = ManifestDirectorySource.LoadDirectory(TestData("mixed"));
        var slice = Single<EndpointSliceObject>(objects, s => s.Name == "endpoints:legacy");

        Assert.Equal("legacy", slice.ServiceName);
        Assert.Equal("IPv4", slice.AddressType);
        Assert.Equal(2, slice.Endpoints.Count);
        var ready = slice.Endpoints[0];
        Assert.True(ready.Ready);
        Assert.Equal(IPAddress.Parse("10.244.2.1"), Assert.Single(ready.Addresses));
        Assert.Equal("legacy-0", ready.Hostname);
        Assert.Equal("legacy-0", ready.TargetPodName);
        Assert.Equal("node-2", ready.NodeName);
        Assert.False(slice.Endpoints[1].Ready);
        Assert.Equal([new ServicePort("http", "TCP", 8080)], slice.Ports);
    }

    [Fact]
    public void ConvertsPodsAndNamespaces()
    {
        var (objects, _) = ManifestDirectorySource.LoadDirectory(TestData("mixed"));
        var pod = Assert.Single(objects.OfType<PodObject>());
        var ns = Assert.Single(objects.OfType<NamespaceObject>());

        Assert.Equal([IPAddress.Parse("10.244.1.5"), IPAddress.Parse("fd00:10:244:1::5")], pod.PodIPs);
        Assert.Equal("Running", pod.Phase);
        Assert.Equal("shop", ns.Name);
        Assert.Equal("blue", ns.Labels["team"]);
    }

    [Fact]
    public void BadDocumentsAreReportedWithFileIndexAndLineWhileTheRestLoads()
    {
        var (objects, errors) = ManifestDirectorySource.LoadDirectory(TestData("bad"));

        Assert.Equal(["good-after", "good-before"], objects.OfType<ServiceObject>().Select(s => s.Name).Order());
        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("broken.json document 1 line 2: invalid JSON", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("broken.yaml document 2 (line 8)", StringComparison.Ordinal) && e.Contains("10.96.0.300"));
        Assert.Contains(errors, e => e.StartsWith("broken.yaml document 3 line 17: invalid YAML", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("a: 1\n", new[] { 1 })]
    [InlineData("---\na: 1\n---\nb: 2\n", new[] { 2, 4 })]
    [InlineData("# comment\n---\na: 1\n...\n---\n\n", new[] { 3 })]
    [InlineData("--- {a: 1}\n", new[] { 1 })]
    [InlineData("a: |\n  text\n---\nb: 2", new[] { 1, 4 })]
    public void SplitsDocumentsOnMarkersKeepingLineNumbers(string text, int[] firstLines)
    {
        Assert.Equal(firstLines, ManifestFileReader.SplitDocuments(text).Select(d => d.FirstLine));
    }

    [Fact]
    public void MissingDirectoryIsAnErrorNotACrash()
    {
        var (objects, errors) = ManifestDirectorySource.LoadDirectory(Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid()));

        Assert.Empty(objects);
        Assert.Contains("cannot list directory", Assert.Single(errors));
    }
}
