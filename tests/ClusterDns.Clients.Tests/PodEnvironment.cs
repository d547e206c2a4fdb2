namespace ClusterDns.Clients.Tests;

/// <summary>
/// Everything one test class needs, built once for it and torn down after its last test (also when a later
/// step of the setup fails): its own network namespace, the upstream, ClusterDns on port 53, and a pod.
/// </summary>
public class PodEnvironment : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("clusterdns-clients-").FullName;
    private readonly TeardownStack _teardown;
    private PodNetwork? _network;
    private UpstreamServer? _upstream;
    private ClusterDnsServer? _server;

    public PodEnvironment() => _teardown = new TeardownStack(_directory);

    internal PodNetwork Network => _network ?? throw new InvalidOperationException("not initialized");

    internal UpstreamServer Upstream => _upstream ?? throw new InvalidOperationException("not initialized");

    internal ClusterDnsServer Server => _server ?? throw new InvalidOperationException("not initialized");

    internal Pod Pod { get; private set; } = null!;

    internal DemoCluster Cluster { get; private set; } = null!;

    /// <summary>The Corefile template in testdata the server runs.</summary>
    protected virtual string CorefileName => "Corefile";

    /// <summary>Adds objects to the copy of the demo cluster before the server reads it.</summary>
    protected virtual void AddManifests(string directory)
    {
    }

    public async Task InitializeAsync()
    {
        try
        {
            var manifests = Path.Combine(_directory, "server", "demo-cluster");
            DemoCluster.Copy(manifests);
            AddManifests(manifests);
            Cluster = DemoCluster.Load(manifests);
            _network = _teardown.Push(await PodNetwork.CreateAsync());
            _upstream = _teardown.Push(await UpstreamServer.StartAsync(_network, Path.Combine(_directory, "upstream")));
            _server = _teardown.Push(await ClusterDnsServer.StartAsync(_network, Path.Combine(_directory, "server"), CorefileName));
            Pod = new Pod(_network, Path.Combine(_directory, "pod"));
        }
        catch
        {
            // xunit does not dispose a fixture whose initialization threw: leave no namespace behind.
            await DisposeAsync();
            throw;
        }
    }

    public Task DisposeAsync() => _teardown.DisposeAsync();
}
