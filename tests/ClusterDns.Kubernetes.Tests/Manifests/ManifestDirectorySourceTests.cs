using System.Threading.Channels;

namespace ClusterDns.Kubernetes.Tests.Manifests;

public sealed class ManifestDirectorySourceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("clusterdns-manifests-").FullName;
    private readonly CancellationTokenSource _stop = new();

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static string Service(string name, string ip) =>
        $"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: ns\nspec:\n  clusterIP: {ip}\n";

    private (ChangeReader Changes, Task Run) Start(TimeSpan rescanInterval)
    {
        var channel = Channel.CreateUnbounded<ClusterChange>();
        var source = new ManifestDirectorySource(_directory, null, rescanInterval, TimeSpan.FromMilliseconds(50));
        var run = source.RunAsync(channel.Writer, _stop.Token);
        _ = run.ContinueWith(t => channel.Writer.TryComplete(t.Exception), TaskScheduler.Default);
        return (new ChangeReader(channel.Reader), run);
    }

    [Fact]
    public async Task FirstLoadEmitsObjectsThenSyncedForEveryKind()
    {
        File.WriteAllText(Path.Combine(_directory, "a.yaml"), Service("a", "10.0.0.1"));
        var (changes, _) = Start(TimeSpan.FromSeconds(2));

        var seen = await changes.UntilSyncedAsync([ResourceKind.Service, ResourceKind.EndpointSlice, ResourceKind.Pod, ResourceKind.Namespace]);

        var upsert = seen[0];
        Assert.Equal((ResourceKind.Service, ChangeType.Upsert, "ns/a"), (upsert.Kind, upsert.Type, upsert.Key));
        Assert.Equal(5, seen.Count);
    }

    // The watcher test uses a long rescan interval so only the FileSystemWatcher can deliver within the timeout;
    // the rescan test disables nothing but proves the fallback alone is enough.
    [Theory]
    [InlineData(600)]
    [InlineData(0.3)]
    public async Task AddChangeAndDeleteOfFilesEmitMinimalChanges(double rescanSeconds)
    {
        File.WriteAllText(Path.Combine(_directory, "a.yaml"), Service("a", "10.0.0.1") + "---\n" + Service("b", "10.0.0.2"));
        var (changes, _) = Start(TimeSpan.FromSeconds(rescanSeconds));
        await changes.UntilSyncedAsync([ResourceKind.Service, ResourceKind.EndpointSlice, ResourceKind.Pod, ResourceKind.Namespace,
            ResourceKind.ServiceImport, ResourceKind.MulticlusterEndpointSlice]);

        // A new file: one upsert.
        File.WriteAllText(Path.Combine(_directory, "c.json"),
            """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"ns"}}""");
        var added = await changes.NextAsync(TimeSpan.FromSeconds(5));
        Assert.Equal((ResourceKind.Namespace, ChangeType.Upsert, "ns"), (added.Kind, added.Type, added.Key));

        // One object of a.yaml changes, the other stays: only the changed one is sent.
        File.WriteAllText(Path.Combine(_directory, "a.yaml"), Service("a", "10.0.0.9") + "---\n" + Service("b", "10.0.0.2"));
        var changed = await changes.NextAsync(TimeSpan.FromSeconds(5));
        Assert.Equal((ResourceKind.Service, ChangeType.Upsert, "ns/a"), (changed.Kind, changed.Type, changed.Key));
        Assert.Equal("10.0.0.9", Assert.Single(((ServiceObject)changed.Object!).ClusterIPs).ToString());

        // The file goes away: both its objects are deleted.
        File.Delete(Path.Combine(_directory, "a.yaml"));
        var deleted = new[] { await changes.NextAsync(TimeSpan.FromSeconds(5)), await changes.NextAsync(TimeSpan.FromSeconds(5)) };
        Assert.All(deleted, d => Assert.Equal((ResourceKind.Service, ChangeType.Delete), (d.Kind, d.Type)));
        Assert.Equal(["ns/a", "ns/b"], deleted.Select(d => d.Key).Order());
    }

    [Fact]
    public async Task CancellationEndsTheRun()
    {
        var (changes, run) = Start(TimeSpan.FromSeconds(2));
        await changes.UntilSyncedAsync([ResourceKind.Namespace]);

        _stop.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }
}
