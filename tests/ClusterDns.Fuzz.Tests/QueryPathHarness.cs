using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Hosting;
using ClusterDns.Server.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Fuzz.Tests;

/// <summary>
/// The whole in-process query path of testdata/Corefile: router, cache, kubernetes (demo cluster), file
/// (example.org), with the server's own verdicts and bare responses; components started and synced.
/// </summary>
public sealed class QueryPathHarness : IAsyncLifetime
{
    private ServerPipeline? _pipeline;

    internal QueryProcessor Processor { get; private set; } = null!;

    internal FaultCounter Faults { get; } = new();

    public async Task InitializeAsync()
    {
        var pipeline = new CorefileLoader(NullLoggerFactory.Instance).Load(Path.Combine(AppContext.BaseDirectory, "testdata", "Corefile"));
        foreach (var component in pipeline.Components)
        {
            await component.StartAsync(CancellationToken.None);
        }
        _pipeline = pipeline;
        foreach (var cluster in pipeline.Components.OfType<ClusterZoneComponent>())
        {
            await cluster.FirstSync.WaitAsync(TimeSpan.FromSeconds(30));
        }
        Processor = new QueryProcessor(Assert.Single(pipeline.Listeners).Router, Faults, NullLogger.Instance);
    }

    public async Task DisposeAsync()
    {
        if (_pipeline is not null)
        {
            foreach (var component in _pipeline.Components)
            {
                await component.StopAsync(CancellationToken.None);
            }
        }
    }

    /// <summary>Counts handler faults: each one is a bug the processor turned into SERVFAIL.</summary>
    internal sealed class FaultCounter : IQueryObserver
    {
        public long Faults;

        public void OnQueryCompleted(DnsQueryContext context, ResponseCode rcode)
        {
        }

        public void OnHandlerFault(DnsQueryContext context) => Interlocked.Increment(ref Faults);
    }
}
