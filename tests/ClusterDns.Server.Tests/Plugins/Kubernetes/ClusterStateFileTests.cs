using System.Threading.Channels;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Files;
using Microsoft.Extensions.Logging.Abstractions;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Options;
using ClusterDns.Server.Plugins.Kubernetes.Persistence;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>
/// <c>kubernetes { snapshot FILE }</c>: a restarted replica answers from the last synced state before its source
/// is reachable, converges to the source's state when it comes back, and ignores a damaged or foreign file.
/// </summary>
public sealed class ClusterStateFileTests : IDisposable
{
    private static readonly ResourceKind[] Kinds = [ResourceKind.Service, ResourceKind.EndpointSlice, ResourceKind.Namespace];

    private readonly string _directory = Directory.CreateTempSubdirectory("clusterdns-snapshot-").FullName;

    private string SnapshotPath => Path.Combine(_directory, "cluster.snapshot");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A source the test drives by hand; until it writes, it is an API server that cannot be reached.</summary>
    private sealed class HandDrivenSource : IClusterSource
    {
        public Channel<ClusterChange> Changes { get; } = Channel.CreateUnbounded<ClusterChange>();

        public IReadOnlyCollection<ResourceKind> Kinds => ClusterStateFileTests.Kinds;

        public async Task RunAsync(ChannelWriter<ClusterChange> changes, CancellationToken ct)
        {
            await foreach (var change in Changes.Reader.ReadAllAsync(ct))
            {
                await changes.WriteAsync(change, ct);
            }
        }

        public void Send(IEnumerable<object> objects)
        {
            foreach (var obj in objects)
            {
                Changes.Writer.TryWrite(obj switch
                {
                    ServiceObject s => ClusterChange.Upsert(ResourceKind.Service, s.Key, s),
                    EndpointSliceObject e => ClusterChange.Upsert(ResourceKind.EndpointSlice, e.Key, e),
                    NamespaceObject n => ClusterChange.Upsert(ResourceKind.Namespace, n.Key, n),
                    _ => ClusterChange.Upsert(ResourceKind.Pod, ((PodObject)obj).Key, obj),
                });
            }
            foreach (var kind in Kinds)
            {
                Changes.Writer.TryWrite(ClusterChange.Synced(kind));
            }
        }
    }

    private sealed class Replica : IAsyncDisposable
    {
        public Replica(string snapshotPath, KubernetesOptions options)
        {
            Options = options;
            Builder = new ClusterZoneBuilder(options, Kinds);
            Snapshot = new ClusterStateFile(snapshotPath, ClusterStateFile.HashOptions(options), NullLogger.Instance, TimeSpan.FromMilliseconds(50));
            Component = new ClusterZoneComponent(Source, Builder, NullLogger.Instance, Snapshot);
            Handler = new KubernetesHandler(options, () => Builder.Current);
        }

        public KubernetesOptions Options { get; }

        public HandDrivenSource Source { get; } = new();

        public ClusterZoneBuilder Builder { get; }

        public ClusterStateFile Snapshot { get; }

        public ClusterZoneComponent Component { get; }

        public KubernetesHandler Handler { get; }

        public Task<DnsMessage> AskAsync(string name, RecordType type) => InProcessQuery.AskAsync(Handler, Options.Zones, name, type);

        public async ValueTask DisposeAsync() => await Component.StopAsync(CancellationToken.None);
    }

    private static KubernetesOptions Options(PodsMode pods = PodsMode.Insecure) => new ClusterZoneFixture().Options with { Pods = pods };

    private static IReadOnlyList<object> DemoObjects()
    {
        var (objects, errors) = ManifestDirectorySource.LoadDirectory(RepositoryPaths.DemoCluster);
        Assert.Empty(errors);
        return objects.Where(o => o is not PodObject).ToArray();
    }

    /// <summary>Runs a replica against a reachable source until its snapshot holds the demo cluster.</summary>
    private async Task<string[]> WriteDemoSnapshotAsync(KubernetesOptions options)
    {
        await using var first = new Replica(SnapshotPath, options);
        var saved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        first.Snapshot.Saved += () => saved.TrySetResult();
        await first.Component.StartAsync(CancellationToken.None);
        first.Source.Send(DemoObjects());
        await saved.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var answer = await first.AskAsync("web-service.default.svc.cluster.local.", RecordType.A);
        Assert.Equal(ResponseCode.NoError, answer.Rcode);
        return InProcessQuery.Lines(answer.Answers);
    }

    [Fact]
    public async Task RestartedReplicaAnswersFromTheSnapshotBeforeTheSourceIsReachable()
    {
        var expected = await WriteDemoSnapshotAsync(Options());

        await using var restarted = new Replica(SnapshotPath, Options());
        await restarted.Component.StartAsync(CancellationToken.None);

        // Nothing has come from the source: the answers are the snapshot's.
        Assert.True(restarted.Component.IsReady);
        Assert.True(restarted.Component.FirstSync.IsCompletedSuccessfully);
        var answer = await restarted.AskAsync("web-service.default.svc.cluster.local.", RecordType.A);
        Assert.Equal(ResponseCode.NoError, answer.Rcode);
        Assert.Equal(expected, InProcessQuery.Lines(answer.Answers));
    }

    [Fact]
    public async Task WhenTheSourceComesBackTheAnswersConvergeToItsState()
    {
        await WriteDemoSnapshotAsync(Options());
        await using var restarted = new Replica(SnapshotPath, Options());
        await restarted.Component.StartAsync(CancellationToken.None);
        var converged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var deletedName = Protocol.DnsName.Parse("web-service.default.svc.cluster.local.").ToLower().Wire.ToArray();
        // Changes are published in batches as they arrive: wait for the one that applied the source's first list.
        restarted.Component.Published += index =>
        {
            if (!index.Contains(deletedName))
            {
                converged.TrySetResult();
            }
        };

        // The cluster changed while we were away: web-service was deleted (the source simply no longer lists it).
        restarted.Source.Send(DemoObjects().Where(o => o is not ServiceObject { Name: "web-service" }));
        await converged.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(ResponseCode.NXDomain, (await restarted.AskAsync("web-service.default.svc.cluster.local.", RecordType.A)).Rcode);
        var others = DemoObjects().OfType<ServiceObject>().First(s => s.Name != "web-service" && s.ClusterIPs.Count > 0);
        Assert.Equal(ResponseCode.NoError, (await restarted.AskAsync($"{others.Name}.{others.Namespace}.svc.cluster.local.", RecordType.A)).Rcode);
    }

    [Fact]
    public async Task SnapshotFollowsLaterChanges()
    {
        await using var replica = new Replica(SnapshotPath, Options());
        int saves = 0;
        var firstSave = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondSave = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        replica.Snapshot.Saved += () => (Interlocked.Increment(ref saves) == 1 ? firstSave : secondSave).TrySetResult();
        await replica.Component.StartAsync(CancellationToken.None);
        replica.Source.Send(DemoObjects());
        await firstSave.Task.WaitAsync(TimeSpan.FromSeconds(30));

        replica.Source.Changes.Writer.TryWrite(ClusterChange.Delete(ResourceKind.Service, "default/web-service"));
        await secondSave.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(ClusterStateFormat.TryDecode(await File.ReadAllBytesAsync(SnapshotPath), replica.Snapshot.OptionsHash, out var objects, out var problem), problem);
        Assert.DoesNotContain(objects!.Services, s => s.Key == "default/web-service");
        Assert.Equal(DemoObjects().OfType<ServiceObject>().Count() - 1, objects.Services.Count);
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp-*"));
    }

    public static TheoryData<string> Damages => new() { "flipped byte", "truncated", "empty", "garbage" };

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task DamagedSnapshotIsIgnored(string damage)
    {
        await WriteDemoSnapshotAsync(Options());
        var bytes = await File.ReadAllBytesAsync(SnapshotPath);
        bytes = damage switch
        {
            "flipped byte" => Flip(bytes, bytes.Length / 2),
            "truncated" => bytes[..(bytes.Length - 7)],
            "empty" => [],
            _ => System.Text.Encoding.UTF8.GetBytes("apiVersion: v1\nkind: Service\n"),
        };
        await File.WriteAllBytesAsync(SnapshotPath, bytes);

        await using var restarted = new Replica(SnapshotPath, Options());
        await restarted.Component.StartAsync(CancellationToken.None);

        Assert.False(restarted.Component.IsReady);
        Assert.Equal(ResponseCode.ServFail, (await restarted.AskAsync("web-service.default.svc.cluster.local.", RecordType.A)).Rcode);
    }

    [Fact]
    public async Task SnapshotOfAnotherZoneConfigurationIsIgnored()
    {
        await WriteDemoSnapshotAsync(Options(PodsMode.Insecure));

        await using var restarted = new Replica(SnapshotPath, Options(PodsMode.Disabled));
        await restarted.Component.StartAsync(CancellationToken.None);

        Assert.False(restarted.Component.IsReady);
        Assert.False(ClusterStateFormat.TryDecode(await File.ReadAllBytesAsync(SnapshotPath), restarted.Snapshot.OptionsHash, out _, out var problem));
        Assert.Contains("another zone configuration", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SnapshotOfTheEarlierFormatIsIgnoredAndReplaced()
    {
        // Format 1 as it was written: "CNDS", a little-endian int32 version 1, BinaryWriter strings, a SHA-256.
        var options = Options();
        using var body = new MemoryStream();
        using (var writer = new BinaryWriter(body, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(0x53444e43u);
            writer.Write(1);
            writer.Write(ClusterStateFile.HashOptions(options));
            for (int kind = 0; kind < 4; kind++)
            {
                writer.Write(0);
            }
        }
        var image = body.ToArray().Concat(System.Security.Cryptography.SHA256.HashData(body.ToArray())).ToArray();
        await File.WriteAllBytesAsync(SnapshotPath, image);

        Assert.False(ClusterStateFormat.TryDecode(image, ClusterStateFile.HashOptions(options), out _, out var problem));
        Assert.Contains("another format (format 1,", problem, StringComparison.Ordinal);
        var logger = new ListLogger();
        var file = new ClusterStateFile(SnapshotPath, ClusterStateFile.HashOptions(options), logger);
        Assert.Null(file.TryLoad([ResourceKind.Service]));
        Assert.Contains(logger.Messages, m => m.Contains("ignored", StringComparison.Ordinal) && m.Contains("another format", StringComparison.Ordinal));

        // The next save writes the current format over it.
        var saved = new TaskCompletionSource();
        file.Saved += () => saved.TrySetResult();
        file.Start();
        file.Schedule(new ClusterState([], [], [], [new NamespaceObject { Name = "default" }]));
        await saved.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await file.StopAsync();
        Assert.True(ClusterStateFormat.TryDecode(await File.ReadAllBytesAsync(SnapshotPath), ClusterStateFile.HashOptions(options), out var objects, out _));
        Assert.Equal("default", Assert.Single(objects!.Namespaces).Name);
    }

    [Fact]
    public async Task ABurstOfScheduledSavesCopiesTheObjectsOnceWhenItWrites()
    {
        var options = Options();
        var file = new ClusterStateFile(SnapshotPath, ClusterStateFile.HashOptions(options), NullLogger.Instance, TimeSpan.FromMilliseconds(50));
        var saved = new TaskCompletionSource();
        file.Saved += () => saved.TrySetResult();
        int copies = 0;
        var captured = new List<int>();

        // 100 publishes inside one debounce: the copy of the objects is taken when the file is written, from the last request.
        for (int publish = 1; publish <= 100; publish++)
        {
            int version = publish;
            file.Schedule(() =>
            {
                Interlocked.Increment(ref copies);
                captured.Add(version);
                return new ClusterState([], [], [], [new NamespaceObject { Name = "ns" + version }]);
            });
        }
        file.Start();
        await saved.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await file.StopAsync();

        Assert.Equal(1, copies);
        Assert.Equal([100], captured);
        Assert.True(ClusterStateFormat.TryDecode(await File.ReadAllBytesAsync(SnapshotPath), ClusterStateFile.HashOptions(options), out var objects, out _));
        Assert.Equal("ns100", Assert.Single(objects!.Namespaces).Name);
    }

    /// <summary>Keeps formatted log messages (the warning an operator reads).</summary>
    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
    {
        public List<string> Messages { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Messages)
            {
                Messages.Add(formatter(state, exception));
            }
        }
    }

    [Fact]
    public void AFileWhoseObjectsStopDecodingYieldsTheObjectsBeforeButNoSync()
    {
        // A checksum-valid image (as a writer bug would leave) whose slice count promises slices that are not there.
        var objects = DemoObjects();
        var services = objects.OfType<ServiceObject>().ToArray();
        var namespaces = objects.OfType<NamespaceObject>().ToArray();
        var good = ClusterStateFormat.Encode(new ClusterState(services, [], [], namespaces), ClusterStateFile.HashOptions(Options()));
        var body = good[..^32];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(body.Length - 8), 5); // [slice count][pod count] end the body
        File.WriteAllBytes(SnapshotPath, [.. body, .. System.Security.Cryptography.SHA256.HashData(body)]);
        var logger = new ListLogger();
        var file = new ClusterStateFile(SnapshotPath, ClusterStateFile.HashOptions(Options()), logger);

        var changes = file.TryLoad(Kinds)!.ToList();

        // Namespaces and Services come through as upserts; no Synced, so the zone is not synced from a file that broke.
        Assert.Equal(namespaces.Length + services.Length, changes.Count);
        Assert.All(changes, c => Assert.Equal(ChangeType.Upsert, c.Type));
        Assert.Equal(services.Select(s => s.Key).Order(), changes.Where(c => c.Kind == ResourceKind.Service).Select(c => c.Key).Order());
        Assert.Contains(logger.Messages, m => m.Contains("do not decode", StringComparison.Ordinal) && m.Contains($"after {changes.Count} objects", StringComparison.Ordinal));
        Assert.False(ClusterStateFormat.TryDecode(File.ReadAllBytes(SnapshotPath), ClusterStateFile.HashOptions(Options()), out _, out var problem));
        Assert.StartsWith("the contents do not decode", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TheObjectsAreCopiedForTheFileOnlyWhenEveryAppliedChangeIsPublished()
    {
        var builder = new ClusterZoneBuilder(Options(), Kinds);
        Assert.NotNull(builder.CopyObjects());

        // Applied, not yet published: the store would mix it with the published Services, so there is no copy yet.
        builder.Apply(ClusterChange.Upsert(ResourceKind.Namespace, "default", new NamespaceObject { Name = "default" }));
        Assert.Null(builder.CopyObjects());

        builder.Publish();
        Assert.Equal("default", Assert.Single(builder.CopyObjects()!.Namespaces).Name);
    }

    [Fact]
    public async Task ASaveWhoseCaptureHasNothingConsistentWritesNothingAndTheNextOneWrites()
    {
        var file = new ClusterStateFile(SnapshotPath, "hash", NullLogger.Instance, TimeSpan.FromMilliseconds(10));
        int captures = 0;
        var saved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        file.Saved += () => saved.TrySetResult();
        file.Start();

        file.Schedule(() => { Interlocked.Increment(ref captures); return null; });
        await file.StopAsync(); // writes what is pending: the capture is asked, and has nothing
        Assert.Equal(1, captures);
        Assert.False(File.Exists(SnapshotPath));

        file.Start();
        file.Schedule(new ClusterState([], [], [], [new NamespaceObject { Name = "after" }]));
        await saved.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await file.StopAsync();
        Assert.True(ClusterStateFormat.TryDecode(await File.ReadAllBytesAsync(SnapshotPath), "hash", out var objects, out _));
        Assert.Equal("after", Assert.Single(objects!.Namespaces).Name);
    }

    [Fact]
    public void AnImageLargerThanOnePieceIsWrittenInPiecesAndReadsBack()
    {
        var services = Enumerable.Range(0, 3000).Select(i => new ServiceObject
        {
            Namespace = "ns" + (i % 7),
            Name = "service-" + i,
            Type = "ClusterIP",
            ClusterIPs = [System.Net.IPAddress.Parse($"10.96.{i / 256}.{i % 256}")],
            Ports = [new ServicePort("http", "TCP", 80)],
            ResourceVersion = (1000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).ToArray();
        var state = new ClusterState(services, [], [], [new NamespaceObject { Name = "ns0" }], Serial: 77);

        var image = ClusterStateFormat.Encode(state, "hash");

        Assert.True(image.Length > 3 * 64 * 1024, $"{image.Length} bytes: several pieces");
        Assert.True(ClusterStateFormat.TryDecode(image, "hash", out var decoded, out var problem), problem);
        Assert.Equal(77u, decoded!.Serial);
        Assert.Equal(services.Select(s => (s.Key, s.ResourceVersion, s.ClusterIPs[0])), decoded.Services.Select(s => (s.Key, s.ResourceVersion, s.ClusterIPs[0])));
    }

    [Fact]
    public void EveryPrefixOfAnImageFailsCleanly()
    {
        var objects = DemoObjects();
        var image = ClusterStateFormat.Encode(new ClusterState(
            objects.OfType<ServiceObject>().ToArray(), objects.OfType<EndpointSliceObject>().ToArray(), [], objects.OfType<NamespaceObject>().ToArray()), "hash");

        Assert.True(ClusterStateFormat.TryDecode(image, "hash", out var decoded, out _));
        Assert.Equal(objects.OfType<ServiceObject>().Select(s => s.Key).Order(), decoded!.Services.Select(s => s.Key).Order());
        for (int length = 0; length < image.Length; length++)
        {
            Assert.False(ClusterStateFormat.TryDecode(image[..length], "hash", out _, out _));
        }
    }

    [Fact]
    public void OptionsThatShapeTheZoneChangeTheHashOthersDoNot()
    {
        var baseline = ClusterStateFile.HashOptions(Options());

        Assert.NotEqual(baseline, ClusterStateFile.HashOptions(Options() with { Namespaces = new HashSet<string> { "default" } }));
        Assert.NotEqual(baseline, ClusterStateFile.HashOptions(Options() with { Endpoint = "https://other:6443" }));
        Assert.NotEqual(baseline, ClusterStateFile.HashOptions(Options(PodsMode.Verified)));
        Assert.Equal(baseline, ClusterStateFile.HashOptions(Options() with { Ttl = 300 }));
        Assert.Equal(baseline, ClusterStateFile.HashOptions(Options() with { SnapshotPath = "/elsewhere" }));
    }

    [Fact]
    public void SnapshotOptionIsAPathBesideTheCorefile()
    {
        var options = new ClusterZoneFixture("kubernetes cluster.local {\n snapshot state/cluster.snapshot\n}").Options;

        Assert.True(Path.IsPathRooted(options.SnapshotPath));
        Assert.EndsWith(Path.Combine("state", "cluster.snapshot"), options.SnapshotPath, StringComparison.Ordinal);
    }

    private static byte[] Flip(byte[] bytes, int index)
    {
        var copy = bytes.ToArray();
        copy[index] ^= 0x40;
        return copy;
    }
}
