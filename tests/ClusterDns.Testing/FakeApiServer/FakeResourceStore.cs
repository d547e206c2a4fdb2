using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace ClusterDns.Testing.FakeApiServer;

/// <summary>
/// The state of the fake API server: objects of five resources (ServiceImport's CRD optional) under one global, monotonically increasing
/// resourceVersion, an event log that watches replay from, and the controls tests use to misbehave.
/// </summary>
public sealed class FakeResourceStore
{
    public static readonly IReadOnlyDictionary<string, (string Kind, string ApiVersion, bool Namespaced)> Resources =
        new Dictionary<string, (string, string, bool)>
        {
            ["services"] = ("Service", "v1", true),
            ["endpointslices"] = ("EndpointSlice", "discovery.k8s.io/v1", true),
            ["pods"] = ("Pod", "v1", true),
            ["namespaces"] = ("Namespace", "v1", false),
            ["serviceimports"] = ("ServiceImport", "multicluster.x-k8s.io/v1alpha1", true),
        };

    private readonly Lock _gate = new();
    private readonly Dictionary<string, SortedDictionary<string, StoredObject>> _objects = new();
    private readonly Dictionary<string, StoredObject[]> _snapshots = new();
    private readonly List<StoredEvent> _events = [];
    private readonly List<WatchSubscription> _watches = [];
    private long _revision = 100;
    private long _compactedRevision;

    public FakeResourceStore()
    {
        foreach (var resource in Resources.Keys) _objects[resource] = new SortedDictionary<string, StoredObject>(StringComparer.Ordinal);
    }

    /// <summary>The latest resourceVersion handed out.</summary>
    public long Revision
    {
        get
        {
            lock (_gate) return _revision;
        }
    }

    /// <summary>Watches and continue tokens older than this get 410 Gone.</summary>
    public long CompactedRevision
    {
        get
        {
            lock (_gate) return _compactedRevision;
        }
    }

    /// <summary>Number of watches currently streaming.</summary>
    public int OpenWatches
    {
        get
        {
            lock (_gate) return _watches.Count;
        }
    }

    /// <summary>Raised (outside the lock) whenever a watch opens; lets tests await a watch instead of sleeping.</summary>
    public event Action<string>? WatchOpened;

    /// <summary>Creates or replaces an object (JSON without resourceVersion); returns its new resourceVersion.</summary>
    public long Apply(string resource, string json)
    {
        var obj = JsonNode.Parse(json)?.AsObject() ?? throw new ArgumentException("object JSON expected", nameof(json));
        var (kind, apiVersion, namespaced) = Resources[resource];
        obj["kind"] = kind;
        obj["apiVersion"] = apiVersion;
        var metadata = obj["metadata"]?.AsObject() ?? throw new ArgumentException("metadata is required", nameof(json));
        var name = metadata["name"]?.GetValue<string>() ?? throw new ArgumentException("metadata.name is required", nameof(json));
        if (namespaced && metadata["namespace"] is null) metadata["namespace"] = "default";
        var key = namespaced ? metadata["namespace"]!.GetValue<string>() + "/" + name : name;

        lock (_gate)
        {
            var revision = ++_revision;
            metadata["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture);
            var text = obj.ToJsonString();
            var type = _objects[resource].ContainsKey(key) ? "MODIFIED" : "ADDED";
            _objects[resource][key] = new StoredObject(key, revision, text, LabelsOf(obj));
            _snapshots.Remove(resource);
            Publish(new StoredEvent(resource, revision, type, text, LabelsOf(obj)));
            return revision;
        }
    }

    /// <summary>Deletes an object by key ("ns/name", or "name" for namespaces); false if absent.</summary>
    public bool Delete(string resource, string key)
    {
        lock (_gate)
        {
            if (!_objects[resource].Remove(key, out var stored)) return false;
            _snapshots.Remove(resource);
            var revision = ++_revision;
            var obj = JsonNode.Parse(stored.Json)!.AsObject();
            obj["metadata"]!["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture);
            Publish(new StoredEvent(resource, revision, "DELETED", obj.ToJsonString(), stored.Labels));
            return true;
        }
    }

    /// <summary>Forgets history: resourceVersions before now become 410 Gone for watches and continue tokens.</summary>
    public void Compact()
    {
        lock (_gate)
        {
            _compactedRevision = _revision;
            _events.Clear();
        }
    }

    /// <summary>Sends every open watch an ERROR 410 event and ends it, as an API server does after compaction.</summary>
    public void ExpireWatches() => ForEachWatch(w => w.Expire());

    /// <summary>Aborts every open watch connection without a goodbye, like a crashed API server or a broken network.</summary>
    public void DisconnectWatches() => ForEachWatch(w => w.Disconnect());

    /// <summary>Sends a BOOKMARK at the current revision to every watch that allowed bookmarks.</summary>
    public void SendBookmarks()
    {
        lock (_gate)
        {
            foreach (var watch in _watches)
            {
                if (watch.AllowBookmarks) watch.Events.Writer.TryWrite(new StoredEvent(watch.Resource, _revision, "BOOKMARK", BookmarkJson(watch.Resource, _revision), new Dictionary<string, string>()));
            }
        }
    }

    /// <summary>
    /// The objects of <paramref name="resource"/> in key order (ordinal), as of <paramref name="revision"/>. The array is
    /// shared by every list until the resource changes, so paging through 100,000 objects does not copy them per page.
    /// </summary>
    public IReadOnlyList<StoredObject> Snapshot(string resource, out long revision)
    {
        lock (_gate)
        {
            revision = _revision;
            if (!_snapshots.TryGetValue(resource, out var snapshot))
            {
                snapshot = [.. _objects[resource].Values];
                _snapshots[resource] = snapshot;
            }

            return snapshot;
        }
    }

    /// <summary>Opens a watch: replays events after <paramref name="fromRevision"/>, then streams live ones. Null when too old.</summary>
    internal WatchSubscription? Subscribe(string resource, long fromRevision, bool allowBookmarks)
    {
        WatchSubscription subscription;
        lock (_gate)
        {
            if (fromRevision < _compactedRevision) return null;
            subscription = new WatchSubscription(this, resource, allowBookmarks);
            foreach (var e in _events)
            {
                if (e.Resource == resource && e.Revision > fromRevision) subscription.Events.Writer.TryWrite(e);
            }

            _watches.Add(subscription);
        }

        WatchOpened?.Invoke(resource);
        return subscription;
    }

    internal void Unsubscribe(WatchSubscription subscription)
    {
        lock (_gate) _watches.Remove(subscription);
    }

    internal static string BookmarkJson(string resource, long revision)
    {
        var (kind, apiVersion, _) = Resources[resource];
        return new JsonObject
        {
            ["kind"] = kind,
            ["apiVersion"] = apiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) },
        }.ToJsonString();
    }

    private void Publish(StoredEvent e)
    {
        _events.Add(e);
        foreach (var watch in _watches)
        {
            if (watch.Resource == e.Resource) watch.Events.Writer.TryWrite(e);
        }
    }

    private void ForEachWatch(Action<WatchSubscription> action)
    {
        WatchSubscription[] watches;
        lock (_gate) watches = [.. _watches];
        foreach (var watch in watches) action(watch);
    }

    private static Dictionary<string, string> LabelsOf(JsonObject obj)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (obj["metadata"]?["labels"] is JsonObject map)
        {
            foreach (var (name, value) in map) labels[name] = value?.ToString() ?? "";
        }

        return labels;
    }
}

public sealed record StoredObject(string Key, long Revision, string Json, IReadOnlyDictionary<string, string> Labels);

internal sealed record StoredEvent(string Resource, long Revision, string Type, string Json, IReadOnlyDictionary<string, string> Labels);

/// <summary>One open watch: its pending events and the switches that end it.</summary>
internal sealed class WatchSubscription(FakeResourceStore store, string resource, bool allowBookmarks) : IDisposable
{
    public string Resource { get; } = resource;
    public bool AllowBookmarks { get; } = allowBookmarks;
    public Channel<StoredEvent> Events { get; } = Channel.CreateUnbounded<StoredEvent>();
    public CancellationTokenSource Aborted { get; } = new();

    public void Expire() => Events.Writer.TryWrite(new StoredEvent(Resource, 0, "EXPIRE", "", new Dictionary<string, string>()));

    public void Disconnect()
    {
        try
        {
            Aborted.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The watch ended on its own between the snapshot of open watches and this call.
        }
    }

    public void Dispose()
    {
        store.Unsubscribe(this);
        Aborted.Dispose();
    }
}
