using System.Net;

namespace ClusterDns.Kubernetes.Tests.Api;

public sealed class ApiServerSourceTests
{
    private static string Service(string ns, string name, string ip, string labels = "{}") =>
        $$$"""{"metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}","labels":{{{labels}}}},"spec":{"type":"ClusterIP","clusterIP":"{{{ip}}}","ports":[{"name":"http","port":80,"protocol":"TCP"}]}}""";

    private static string Slice(string ns, string name, string service, string ip, bool ready = true) =>
        $$$"""{"metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}","labels":{"kubernetes.io/service-name":"{{{service}}}"}},"addressType":"IPv4","endpoints":[{"addresses":["{{{ip}}}"],"conditions":{"ready":{{{(ready ? "true" : "false")}}}}}],"ports":[{"name":"http","port":80,"protocol":"TCP"}]}""";

    private static string Pod(string ns, string name, string ip) =>
        $$$"""{"metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}"},"status":{"phase":"Running","podIP":"{{{ip}}}","podIPs":[{"ip":"{{{ip}}}"}]}}""";

    private static string Namespace(string name) => "{\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"team\":\"blue\"}}}";

    [Fact]
    public async Task ListPaginatesAcrossSeveralPages()
    {
        await using var h = await ApiTestHarness.CreateAsync();
        for (var i = 0; i < 12; i++) h.Store.Apply("services", Service("ns", $"svc-{i:D2}", $"10.96.0.{i + 1}"));
        h.Start([ResourceKind.Service], ApiTestHarness.FastOptions(new ApiServerSourceOptions { PageSize = 5 }));

        var seen = await h.SyncAsync();

        Assert.Equal(12, seen.Count(c => c.Type == ChangeType.Upsert));
        Assert.Equal(ChangeType.Synced, seen[^1].Type);
        Assert.Equal(h.ServerState("services"), h.State[ResourceKind.Service]);
        var lists = h.Server.Requests.Where(r => r.Contains("/api/v1/services?limit=5", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, lists.Count);
        Assert.Equal(2, lists.Count(r => r.Contains("&continue=", StringComparison.Ordinal)));
        Assert.True(h.Source.IsSynced(ResourceKind.Service));
        await h.Source.FirstSync.WaitAsync(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task CreateUpdateAndDeleteOfEveryKindArriveAsChanges()
    {
        await using var h = await ApiTestHarness.CreateAsync();
        h.Start([ResourceKind.Service, ResourceKind.EndpointSlice, ResourceKind.Pod, ResourceKind.Namespace]);
        Assert.DoesNotContain(await h.SyncAsync(), c => c.Type != ChangeType.Synced);
        Assert.True(h.Source.IsConnected);

        var cases = new (string Resource, ResourceKind Kind, string Key, string Created, string Updated)[]
        {
            ("services", ResourceKind.Service, "shop/web", Service("shop", "web", "10.96.0.20"), Service("shop", "web", "10.96.0.21")),
            ("endpointslices", ResourceKind.EndpointSlice, "shop/web-x1", Slice("shop", "web-x1", "web", "10.244.0.5"), Slice("shop", "web-x1", "web", "10.244.0.5", ready: false)),
            ("pods", ResourceKind.Pod, "shop/web-0", Pod("shop", "web-0", "10.244.0.5"), Pod("shop", "web-0", "fd00::5")),
            ("namespaces", ResourceKind.Namespace, "shop", Namespace("shop"), """{"metadata":{"name":"shop","labels":{"team":"red"}}}"""),
        };

        foreach (var (resource, kind, key, created, updated) in cases)
        {
            h.Store.Apply(resource, created);
            var added = await h.Changes.NextAsync();
            Assert.Equal((kind, ChangeType.Upsert, key), (added.Kind, added.Type, added.Key));

            h.Store.Apply(resource, updated);
            var modified = await h.Changes.NextAsync();
            Assert.Equal((kind, ChangeType.Upsert, key), (modified.Kind, modified.Type, modified.Key));
            Assert.NotSame(added.Object, modified.Object);

            h.Store.Delete(resource, key);
            var deleted = await h.Changes.NextAsync();
            Assert.Equal((kind, ChangeType.Delete, key, (object?)null), (deleted.Kind, deleted.Type, deleted.Key, deleted.Object));
        }
    }

    [Fact]
    public async Task WatchedObjectsAreConvertedWithTheirFields()
    {
        await using var h = await ApiTestHarness.CreateAsync();
        h.Start([ResourceKind.Service, ResourceKind.EndpointSlice]);
        await h.SyncAsync();

        h.Store.Apply("services", Service("shop", "web", "10.96.0.20", """{"app":"web"}"""));
        h.Store.Apply("endpointslices", Slice("shop", "web-x1", "web", "10.244.0.5", ready: false));

        // Two informers: their changes may arrive in either order.
        object[] changes = [(await h.Changes.NextAsync()).Object!, (await h.Changes.NextAsync()).Object!];
        var service = Assert.Single(changes.OfType<ServiceObject>());
        var slice = Assert.Single(changes.OfType<EndpointSliceObject>());
        Assert.Equal(IPAddress.Parse("10.96.0.20"), Assert.Single(service.ClusterIPs));
        Assert.Equal("web", service.Labels["app"]);
        Assert.Equal("web", slice.ServiceName);
        Assert.False(Assert.Single(slice.Endpoints).Ready);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ExpiredResourceVersionRelistsAndDeletesWhatWasMissed(bool goneAsHttpStatus)
    {
        await using var h = await ApiTestHarness.CreateAsync();
        h.Server.GoneAsHttpStatus = goneAsHttpStatus;
        foreach (var name in new[] { "a", "b", "c" }) h.Store.Apply("services", Service("ns", name, "10.96.0.1"));
        // A long first backoff: the changes below happen while the client is away, and history is compacted.
        h.Start([ResourceKind.Service], ApiTestHarness.FastOptions(new ApiServerSourceOptions { InitialBackoff = TimeSpan.FromSeconds(1) }));
        await h.SyncAsync();
        var relisted = h.NextRequestAsync("/api/v1/services?limit=");

        // Refused watches keep the client away (it backs off and retries) whatever its timing, until history is gone.
        h.Server.RefuseWatches = true;
        h.Store.DisconnectWatches();
        h.Store.Delete("services", "ns/a");
        h.Store.Apply("services", Service("ns", "b", "10.96.0.2"));
        h.Store.Apply("services", Service("ns", "d", "10.96.0.4"));
        h.Store.Compact();
        h.Server.RefuseWatches = false;

        await relisted;
        await h.ConvergeAsync(ResourceKind.Service, "services");
        Assert.Equal(["ns/b", "ns/c", "ns/d"], h.State[ResourceKind.Service].Keys.Order());
    }

    [Fact]
    public async Task AnObjectFromAListThatExpiredBetweenPagesIsDeletedByTheNextCompleteList()
    {
        // As found against a real API server: the first page is delivered, then the Service is deleted and etcd
        // compacted while the list is under way, so its continue token expires and the list starts again.
        await using var h = await ApiTestHarness.CreateAsync();
        for (var i = 0; i < 12; i++) h.Store.Apply("services", Service("ns", $"svc-{i:D2}", $"10.96.0.{i + 1}"));
        var expired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Server.BeforeContinuedList = resource =>
        {
            h.Server.BeforeContinuedList = null; // once: the relist's own pages go through
            h.Store.Delete(resource, "ns/svc-00");
            h.Store.Compact();
            expired.TrySetResult();
        };
        h.Start([ResourceKind.Service], ApiTestHarness.FastOptions(new ApiServerSourceOptions { PageSize = 5 }));

        await expired.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await h.ConvergeAsync(ResourceKind.Service, "services");

        Assert.DoesNotContain("ns/svc-00", h.State[ResourceKind.Service].Keys);
        Assert.Equal(11, h.State[ResourceKind.Service].Count);
        Assert.Contains(h.Server.Requests, r => r.Contains("&continue=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheNextPageIsAskedForBeforeThisPagesObjectsAreHandedOver()
    {
        await using var h = await ApiTestHarness.CreateAsync();
        for (var i = 0; i < 12; i++) h.Store.Apply("services", Service("ns", $"svc-{i:D2}", $"10.96.0.{i + 1}"));
        var secondPageAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Server.BeforeContinuedList = _ => secondPageAsked.TrySetResult();
        // Room for one change and nobody reading: the informer is stuck handing over the first page's second object.
        var channel = System.Threading.Channels.Channel.CreateBounded<ClusterChange>(1);
        var source = new ApiServerSource(h.Connection(), [ResourceKind.Service], ApiTestHarness.FastOptions(new ApiServerSourceOptions { PageSize = 5 }));
        using var stop = new CancellationTokenSource();
        var run = source.RunAsync(channel.Writer, stop.Token);

        // The second page was asked for from the first page's continue token, before its objects were all handed over.
        await secondPageAsked.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var keys = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await channel.Reader.ReadAsync(timeout.Token) is { } change && change.Type != ChangeType.Synced) keys.Add(change.Key);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"ns/svc-{i:D2}"), keys);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task ErrorGoneMidStreamRelistsWithoutSecondSynced()
    {
        await using var h = await ApiTestHarness.CreateAsync();
        h.Store.Apply("services", Service("ns", "a", "10.96.0.1"));
        // The watch must be open before it is expired: Synced arrives when the list ends, before the watch starts.
        var watching = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Store.WatchOpened += _ => watching.TrySetResult();
        h.Start([ResourceKind.Service]);
        await h.SyncAsync();
        await watching.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var relisted = h.NextRequestAsync("/api/v1/services?limit=");

        h.Store.Compact();
        h.Store.ExpireWatches();
        await relisted;
        h.Store.Apply("services", Service("ns", "e", "10.96.0.5"));

        var next = await h.Changes.NextAsync();
        Assert.Equal((ChangeType.Upsert, "ns/e"), (next.Type, next.Key)); // Unchanged "a" is not re-sent, no second Synced.
    }

    [Fact]
    public async Task AnExpiryAfterTheServerWasAwayRelistsAtOnceNotAfterTheBackoffItsAbsenceBuiltUp()
    {
        // The fault soak's finding: an API server back from a restart with compacted history answered the resumed
        // watch with 410, and the informer waited out the backoff the outage had built up (30 s of stale answers).
        await using var h = await ApiTestHarness.CreateAsync();
        h.Store.Apply("services", Service("ns", "a", "10.96.0.1"));
        var options = new ApiServerSourceOptions
        {
            PageSize = 500,
            WatchTimeout = TimeSpan.FromMinutes(5),
            InitialBackoff = TimeSpan.FromMilliseconds(100),
            MaxBackoff = TimeSpan.FromMinutes(1),
        };
        var watching = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Store.WatchOpened += _ => watching.TrySetResult();
        h.Start([ResourceKind.Service], options);
        await h.SyncAsync();
        await watching.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // The server goes away: five refused watches build the backoff up to 1.6 s (then 3.2 s, 6.4 s ...).
        int refused = 0;
        var fiveRefused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Server.RequestArrived += line =>
        {
            if (line.Contains("watch=true", StringComparison.Ordinal) && Interlocked.Increment(ref refused) == 5) fiveRefused.TrySetResult();
        };
        h.Server.RefuseWatches = true;
        h.Store.DisconnectWatches();
        await fiveRefused.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // It returns with its history compacted: the next resumed watch gets 410, and the relist follows at once.
        h.Store.Apply("services", Service("ns", "b", "10.96.0.2"));
        h.Store.Compact(); // after the change: the watch's version is now older than the history
        var gone = h.NextRequestAsync("watch=true");
        var relisted = h.NextRequestAsync("/api/v1/services?limit=");
        h.Server.RefuseWatches = false;
        await gone;
        var goneAt = System.Diagnostics.Stopwatch.GetTimestamp();
        await relisted;
        // Before the fix the relist waited the next backoff step (≥ 2.5 s here: 3.2 s ± 20%).
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(goneAt) < TimeSpan.FromSeconds(2),
            $"relisted {System.Diagnostics.Stopwatch.GetElapsedTime(goneAt).TotalSeconds:F1} s after the 410");
        await h.ConvergeAsync(ResourceKind.Service, "services");
    }

    [Fact]
    public async Task KnownObjectsKeepTheirArrivalAcrossARelistUnlessTheyChanged()
    {
        await using var h = await ApiTestHarness.CreateAsync();
        long versionA = h.Store.Apply("services", Service("ns", "a", "10.96.0.1"));
        h.Store.Apply("services", Service("ns", "b", "10.96.0.2"));
        var watching = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Store.WatchOpened += _ => watching.TrySetResult();
        h.Start([ResourceKind.Service]);
        await h.SyncAsync();
        await watching.Task.WaitAsync(TimeSpan.FromSeconds(20)); // expiring a watch not yet open would expire nothing
        Assert.True(h.Source.TryGetKnown(ResourceKind.Service, "ns/a", out var a));
        Assert.Equal(versionA.ToString(System.Globalization.CultureInfo.InvariantCulture), a.ResourceVersion);
        Assert.True(h.Source.TryGetKnown(ResourceKind.Service, "ns/b", out var b));
        Assert.False(h.Source.TryGetKnown(ResourceKind.EndpointSlice, "ns/a", out _));

        // History compacted, the watch expired: the informer relists, then watches again. Nothing changed, so
        // both keep the arrival time of the first list.
        var relisted = h.NextRequestAsync("/api/v1/services?limit=");
        var watchingAgain = h.NextRequestAsync("watch=true");
        h.Store.Compact();
        h.Store.ExpireWatches();
        await relisted;
        await watchingAgain;
        Assert.True(h.Source.TryGetKnown(ResourceKind.Service, "ns/a", out var afterRelist));
        Assert.Equal(a, afterRelist);

        long versionB = h.Store.Apply("services", Service("ns", "b", "10.96.0.3"));
        h.Store.Delete("services", "ns/a");
        await h.ConvergeAsync(ResourceKind.Service, "services");

        Assert.False(h.Source.TryGetKnown(ResourceKind.Service, "ns/a", out _));
        Assert.True(h.Source.TryGetKnown(ResourceKind.Service, "ns/b", out var changed));
        Assert.Equal(versionB.ToString(System.Globalization.CultureInfo.InvariantCulture), changed.ResourceVersion);
        Assert.True(changed.ReceivedAtUnixMs >= b.ReceivedAtUnixMs);
    }

    [Fact]
    public async Task SeveredConnectionResumesFromLastResourceVersionWithoutRelisting()
    {
        await using var h = await ApiTestHarness.CreateAsync();
        foreach (var name in new[] { "a", "b" }) h.Store.Apply("services", Service("ns", name, "10.96.0.1"));
        h.Start([ResourceKind.Service], ApiTestHarness.FastOptions(new ApiServerSourceOptions { InitialBackoff = TimeSpan.FromSeconds(1) }));
        await h.SyncAsync();
        var lastSeen = h.Store.Revision;
        var resumed = h.NextRequestAsync($"resourceVersion={lastSeen}");

        h.Store.DisconnectWatches();
        h.Store.Delete("services", "ns/a");
        h.Store.Apply("services", Service("ns", "c", "10.96.0.3"));

        Assert.Contains("watch=true", await resumed);
        await h.ConvergeAsync(ResourceKind.Service, "services");
        Assert.Equal(["ns/b", "ns/c"], h.State[ResourceKind.Service].Keys.Order());
        Assert.Single(h.Server.Requests, r => r.Contains("?limit=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BookmarkAdvancesTheResourceVersionTheNextWatchStartsFrom()
    {
        await using var h = await ApiTestHarness.CreateAsync();
        // A one-second watch timeout: the watch ends cleanly after the bookmark and resumes from it.
        h.Start([ResourceKind.Service], ApiTestHarness.FastOptions(new ApiServerSourceOptions { WatchTimeout = TimeSpan.FromSeconds(1) }));
        await h.SyncAsync();
        for (var i = 0; i < 3; i++) h.Store.Apply("pods", Pod("ns", $"p{i}", "10.244.0.1")); // Moves the revision, not services.
        var bookmark = h.Store.Revision;
        var resumed = h.NextRequestAsync($"resourceVersion={bookmark} ");

        // Bookmarks go to open watches only: send it right after a (re)opened watch subscribed, well before its timeout.
        var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Store.WatchOpened += _ => opened.TrySetResult();
        await opened.Task.WaitAsync(ChangeReader.DefaultTimeout);
        h.Store.SendBookmarks();

        Assert.Contains("/api/v1/services?watch=true", await resumed);
        Assert.Equal(bookmark.ToString(System.Globalization.CultureInfo.InvariantCulture), h.Source.Informers[0].ResourceVersion);
    }

    [Fact]
    public async Task LabelSelectorIsSentToTheServer()
    {
        await using var h = await ApiTestHarness.CreateAsync();
        h.Store.Apply("services", Service("ns", "web", "10.96.0.1", """{"app":"web"}"""));
        h.Store.Apply("services", Service("ns", "db", "10.96.0.2", """{"app":"db"}"""));
        h.Start([ResourceKind.Service], ApiTestHarness.FastOptions(new ApiServerSourceOptions { LabelSelector = "app=web" }));

        await h.SyncAsync();
        h.Store.Apply("services", Service("ns", "db2", "10.96.0.3", """{"app":"db"}"""));
        h.Store.Apply("services", Service("ns", "web2", "10.96.0.4", """{"app":"web"}"""));

        Assert.Equal("ns/web2", (await h.Changes.NextAsync()).Key);
        Assert.Equal(["ns/web"], h.State[ResourceKind.Service].Keys);
        Assert.Contains(h.Server.Requests, r => r.Contains("labelSelector=app%3Dweb", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NamespaceRestrictionFiltersOnTheClient()
    {
        await using var h = await ApiTestHarness.CreateAsync();
        h.Store.Apply("services", Service("one", "a", "10.96.0.1"));
        h.Store.Apply("services", Service("two", "a", "10.96.0.2"));
        h.Store.Apply("namespaces", Namespace("one"));
        h.Store.Apply("namespaces", Namespace("two"));
        h.Start([ResourceKind.Service, ResourceKind.Namespace], ApiTestHarness.FastOptions(new ApiServerSourceOptions { Namespaces = ["one"] }));

        await h.SyncAsync();
        h.Store.Apply("services", Service("two", "b", "10.96.0.3"));
        h.Store.Apply("services", Service("one", "b", "10.96.0.4"));

        Assert.Equal("one/b", (await h.Changes.NextAsync()).Key);
        Assert.Equal(["one/a"], h.State[ResourceKind.Service].Keys);
        Assert.Equal(["one"], h.State[ResourceKind.Namespace].Keys);
    }

    [Fact]
    public async Task BadObjectsAreSkippedAndTheRestLoads()
    {
        await using var h = await ApiTestHarness.CreateAsync();
        h.Store.Apply("services", Service("ns", "bad", "10.96.0.999"));
        h.Store.Apply("services", Service("ns", "good", "10.96.0.1"));
        h.Start([ResourceKind.Service]);

        await h.SyncAsync();

        Assert.Equal(["ns/good"], h.State[ResourceKind.Service].Keys);
    }

}
