using System.Net;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Kubernetes.Tests.Api;

/// <summary>
/// The <c>multicluster</c> option's two informers against the fake API server: ServiceImports (a CRD that may be
/// missing) and the EndpointSlices selected by the KEP-1645 label, converted with their cluster id.
/// </summary>
public sealed class ServiceImportSourceTests
{
    private const string Import = """{"metadata":{"name":"web","namespace":"shop"},"spec":{"type":"ClusterSetIP","ips":["10.42.0.1","fd00::42"],"ports":[{"name":"http","port":80,"protocol":"TCP"},{"port":81}]}}""";

    [Fact]
    public async Task Imports_and_labelled_slices_are_listed_and_converted()
    {
        await using var h = await ApiTestHarness.CreateAsync();
        h.Store.Apply("serviceimports", Import);
        h.Store.Apply("serviceimports", """{"metadata":{"name":"db","namespace":"shop"},"spec":{"type":"Headless"}}""");
        h.Store.Apply("endpointslices", """{"metadata":{"name":"db-a","namespace":"shop","labels":{"multicluster.kubernetes.io/service-name":"db","multicluster.kubernetes.io/source-cluster":"cluster-a"}},"addressType":"IPv4","endpoints":[{"addresses":["10.3.0.5"],"hostname":"db-0"}]}""");
        h.Store.Apply("endpointslices", """{"metadata":{"name":"web-local","namespace":"shop","labels":{"kubernetes.io/service-name":"web"}},"addressType":"IPv4","endpoints":[{"addresses":["10.244.0.1"]}]}""");
        h.Start([ResourceKind.ServiceImport, ResourceKind.MulticlusterEndpointSlice]);

        var seen = await h.SyncAsync();

        var web = Assert.IsType<ServiceImportObject>(seen.Single(c => c.Key == "shop/web").Object);
        Assert.False(web.IsHeadless);
        Assert.Equal([IPAddress.Parse("10.42.0.1"), IPAddress.Parse("fd00::42")], web.Ips);
        Assert.Equal([new ServicePort("http", "TCP", 80), new ServicePort(null, "TCP", 81)], web.Ports);
        Assert.True(Assert.IsType<ServiceImportObject>(seen.Single(c => c.Key == "shop/db").Object).IsHeadless);
        // Only the labelled slice, read as the import's: its service name and cluster id from the KEP-1645 labels.
        var slice = Assert.IsType<EndpointSliceObject>(Assert.Single(seen, c => c.Kind == ResourceKind.MulticlusterEndpointSlice && c.Type == ChangeType.Upsert).Object);
        Assert.Equal(("db-a", "db", "cluster-a"), (slice.Name, slice.ServiceName, slice.SourceCluster));
        Assert.Contains(h.Server.Requests, r => r.Contains("/endpointslices?", StringComparison.Ordinal) && r.Contains("labelSelector=multicluster.kubernetes.io%2Fservice-name", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_crd_is_logged_once_counts_as_listed_and_is_picked_up_when_installed()
    {
        await using var h = await ApiTestHarness.CreateAsync();
        h.Server.ServiceImportCrdInstalled = false;
        h.Store.Apply("serviceimports", Import);
        var logger = new WarningCounter();
        h.Start([ResourceKind.Service, ResourceKind.ServiceImport], logger: logger);

        // Listed (as empty) although the resource is 404: the first sync is not held up by a CRD that may never come.
        var seen = await h.SyncAsync();
        Assert.DoesNotContain(seen, c => c.Kind == ResourceKind.ServiceImport && c.Type == ChangeType.Upsert);
        await h.Source.FirstSync.WaitAsync(ChangeReader.DefaultTimeout);
        // Asked again with backoff, still absent: still one warning, no error, and the kind does not count as down.
        await h.NextRequestAsync("/serviceimports");
        await h.NextRequestAsync("/serviceimports");
        Assert.Equal(1, logger.Count(m => m.Contains("does not exist", StringComparison.Ordinal)));
        Assert.True(h.Source.IsConnected, h.Source.LastError);
        Assert.True(h.Source.Watch(ResourceKind.ServiceImport)!.Value.Open);

        // Waited for from before the install: the watch follows the list at once, maybe before the upsert is read.
        var watched = h.NextRequestAsync("/serviceimports?watch=true");
        h.Server.ServiceImportCrdInstalled = true;
        var upsert = await h.Changes.UntilAsync(c => c.Kind == ResourceKind.ServiceImport && c.Type == ChangeType.Upsert);
        Assert.Equal("shop/web", upsert[^1].Key);
        // And watched from then on.
        await watched;
        h.Store.Delete("serviceimports", "shop/web");
        var deleted = await h.Changes.UntilAsync(c => c.Kind == ResourceKind.ServiceImport && c.Type == ChangeType.Delete);
        Assert.Equal("shop/web", deleted[^1].Key);
    }

    [Fact]
    public async Task A_crd_removed_later_deletes_the_imports_it_held()
    {
        await using var h = await ApiTestHarness.CreateAsync();
        h.Store.Apply("serviceimports", Import);
        h.Start([ResourceKind.ServiceImport]);
        await h.SyncAsync();

        h.Server.ServiceImportCrdInstalled = false;
        h.Store.DisconnectWatches();
        var deleted = await h.Changes.UntilAsync(c => c.Type == ChangeType.Delete);
        Assert.Equal("shop/web", deleted[^1].Key);
    }

    /// <summary>Counts the warnings an informer logs.</summary>
    private sealed class WarningCounter : ILogger
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _warnings = new();

        public int Count(Func<string, bool> match) => _warnings.Count(match);

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                _warnings.Enqueue(formatter(state, exception));
            }
        }
    }
}
