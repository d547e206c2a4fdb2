using System.Diagnostics;
using System.Threading.Channels;
using ClusterDns.Kubernetes;
using ClusterDns.Server.Config;
using ClusterDns.Server.Pipeline;
using Microsoft.Extensions.Logging;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Multicluster;
using ClusterDns.Server.Plugins.Kubernetes.Persistence;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>
/// Runs a cluster source (API server or manifests) and the single zone-writer loop that applies its changes
/// in batches: everything already queued is applied, then one snapshot is published.
/// </summary>
public sealed partial class ClusterZoneComponent : IServerComponent, IReadinessReporter, IAnswerExplainer
{
    private const int MaxBatch = 10_000;
    /// <summary>Objects applied from a snapshot file between publishes while it loads.</summary>
    private const int SnapshotPublishEvery = 50_000;
    private static readonly TimeSpan UnsyncedPublishInterval = TimeSpan.FromMilliseconds(500);

    private readonly IClusterSource _source;
    private readonly ClusterZoneBuilder _builder;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _firstSync = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ClusterStateFile? _snapshot;
    private readonly SourceFreshness _freshness;

    /// <summary>Kinds the source has listed in full since start (a snapshot's objects do not count).</summary>
    private readonly HashSet<ResourceKind> _listedKinds = new();
    /// <summary>Set once the collection that ends the first list has run.</summary>
    private bool _firstListCollected;
    /// <summary>Changes applied during the first list since its last compaction.</summary>
    private int _firstListApplied;
    /// <summary><see cref="CopyObjects"/> as the state file's capture (one delegate, not one per publish).</summary>
    private Func<ClusterState?>? _copyObjects;
    /// <summary>Objects loaded from the snapshot that the source has not confirmed yet, per kind.</summary>
    private readonly Dictionary<ResourceKind, HashSet<string>> _unconfirmed = new();
    /// <summary>Held while the writer applies and publishes; <c>explain</c> reads the builder's store under it.</summary>
    private readonly Lock _writer = new();
    private CancellationTokenSource? _stopping;
    private Task _running = Task.CompletedTask;

    public ClusterZoneComponent(IClusterSource source, ClusterZoneBuilder builder, ILogger logger, ClusterStateFile? snapshot = null, TimeSpan staleAfter = default)
    {
        _freshness = new SourceFreshness(source, staleAfter);
        _source = source;
        _builder = builder;
        _logger = logger;
        _builder.GenerateFailed += (owner, exception) => LogGenerateFailed(_logger, exception, owner.ToString());
        _snapshot = snapshot;
    }

    public string Name => "kubernetes";

    /// <summary>Synced, and no watch down longer than <c>stale_after</c> (queries are answered either way).</summary>
    public bool IsReady => _builder.Current.Synced && _freshness.StaleReason() is null;

    public string? NotReadyReason => _builder.Current.Synced ? _freshness.StaleReason() : null;

    public SourceFreshness Freshness => _freshness;

    public IClusterSource Source => _source;

    /// <summary>Completes when every kind has finished its first list.</summary>
    public Task FirstSync => _firstSync.Task;

    public ClusterIndex Current => _builder.Current;

    /// <summary>The writer of the <c>multicluster</c> zones' ServiceImports, fed the same changes on this loop; null when off.</summary>
    public ClustersetBuilder? Clusterset { get; init; }

    /// <summary>Raised on the writer's thread after each publish (tests await changes with it).</summary>
    public event Action<ClusterIndex>? Published
    {
        add => _builder.Published += value;
        remove => _builder.Published -= value;
    }

    /// <summary>The pod address index as published now (<c>pods verified</c>; empty otherwise).</summary>
    public PodAddressIndex PodAddresses => _builder.PodAddresses;

    /// <summary>Raised on the writer's thread after a publish that changed the pod address index.</summary>
    public event Action<PodAddressIndex>? PodAddressesPublished
    {
        add => _builder.PodAddressesPublished += value;
        remove => _builder.PodAddressesPublished -= value;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        LoadSnapshot();
        _stopping = new CancellationTokenSource();
        var channel = Channel.CreateUnbounded<ClusterChange>(new UnboundedChannelOptions { SingleReader = true });
        var token = _stopping.Token;
        var produce = Task.Run(() => RunSourceAsync(channel.Writer, token), CancellationToken.None);
        var consume = Task.Run(() => ApplyChangesAsync(channel.Reader, token), CancellationToken.None);
        _running = Task.WhenAll(produce, consume);
        return Task.CompletedTask;
    }

    private async Task RunSourceAsync(ChannelWriter<ClusterChange> writer, CancellationToken token)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        try
        {
            while (!token.IsCancellationRequested)
            {
                try
                {
                    await _source.RunAsync(writer, token).ConfigureAwait(false);
                    return;
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception exception)
                {
                    // Sources retry on their own; if one still fails, run it again (it relists and reconciles)
                    // while the last known zone keeps answering.
                    LogSourceFailed(_logger, exception);
                    await Task.Delay(backoff, token).ConfigureAwait(false);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        finally
        {
            writer.TryComplete();
        }
    }

    private async Task ApplyChangesAsync(ChannelReader<ClusterChange> reader, CancellationToken token)
    {
        try
        {
            long lastPublish = 0;
            bool unpublished = false;
            while (true)
            {
                bool more = unpublished
                    ? await WaitForChangesOrPublishTimeAsync(reader, lastPublish, token).ConfigureAwait(false)
                    : await reader.WaitToReadAsync(token).ConfigureAwait(false);
                if (!more && !unpublished)
                {
                    break;
                }
                int applied = 0;
                lock (_writer)
                {
                    while (applied < MaxBatch && reader.TryRead(out var change))
                    {
                        try
                        {
                            ConfirmSnapshotObjects(change);
                            if (change.Type == ChangeType.Synced) _listedKinds.Add(change.Kind);
                            _builder.Apply(change);
                            Clusterset?.Apply(change);
                        }
                        catch (Exception exception)
                        {
                            LogChangeFailed(_logger, exception, change.Kind.ToString(), change.Key);
                        }
                        applied++;
                    }
                }
                if (!_firstListCollected)
                {
                    _firstListApplied += applied;
                }
                bool listed = _listedKinds.IsSupersetOf(_source.Kinds);
                if (more && !listed && Stopwatch.GetElapsedTime(lastPublish) < UnsyncedPublishInterval)
                {
                    // The first list arrives page by page and a page touches nearly every shard: publishing per
                    // page copied the whole index each time (100k Services: 20+ s to ready; from a snapshot, which
                    // is served meanwhile, 19 s and 470 MB). Until the source has listed every kind once,
                    // publish at most once per interval.
                    unpublished = true;
                    continue;
                }
                unpublished = false;
                lastPublish = Stopwatch.GetTimestamp();
                lock (_writer)
                {
                    try
                    {
                        _builder.Publish();
                        Clusterset?.Publish();
                    }
                    catch (Exception exception)
                    {
                        LogChangeFailed(_logger, exception, "publish", "");
                    }
                    if (_snapshot is not null && _builder.IsSynced)
                    {
                        _snapshot.Schedule(_copyObjects ??= CopyObjects);
                    }
                }
                if (!_firstListCollected)
                {
                    CollectDuringFirstList(listed);
                }
                if (_builder.Current.Synced && !_firstSync.Task.IsCompleted)
                {
                    _firstSync.TrySetResult();
                    LogSynced(_logger, _builder.Current.NameCount);
                }
                if (!more && reader.Completion.IsCompleted)
                {
                    break; // the source ended: what it sent is published
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// During the first list, at a publish (every <see cref="UnsyncedPublishInterval"/>) once 20,000 changes were
    /// applied and 64 MiB allocated since the last compaction (at 100k Services the list allocates about 390 MiB;
    /// at 10k, 42 MiB: none then): the zone grows
    /// from nothing while the list's parse garbage is promoted beside it, and background collections sweep but do
    /// not compact, so the heap only grows until something compacts it (100k Services: RSS 121 MB at the end of
    /// the list, 66 MB after). These collections kept the peak at 87–99 MB for no measurable CPU
    /// (docs/performance.md). When the list is complete, an aggressive one also returns the freed memory to the OS
    /// before the zone is served as synced (10k Services: RSS 145 -> 120 MB and freshness p99 under load
    /// 72 -> 12 ms, measured when it was added).
    /// </summary>
    private void CollectDuringFirstList(bool listed)
    {
        if (listed)
        {
            HeapCompaction.Compact(GCCollectionMode.Aggressive);
            _firstListCollected = true;
        }
        else if (HeapCompaction.AfterBulkWork(_firstListApplied))
        {
            _firstListApplied = 0;
        }
    }

    /// <summary>
    /// The objects as published, for the state file; from its saving task, so under the writer's lock. Null while
    /// applied changes wait for their publish, which schedules the save again.
    /// </summary>
    private ClusterState? CopyObjects()
    {
        lock (_writer)
        {
            return _builder.CopyObjects();
        }
    }

    /// <summary>True when changes are waiting; false when the interval since the last publish ran out or the source ended.</summary>
    private static async ValueTask<bool> WaitForChangesOrPublishTimeAsync(ChannelReader<ClusterChange> reader, long lastPublish, CancellationToken token)
    {
        var remaining = UnsyncedPublishInterval - Stopwatch.GetElapsedTime(lastPublish);
        if (remaining <= TimeSpan.Zero)
        {
            return false;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(remaining);
        try
        {
            return await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// Before the source starts: the snapshot's objects, published as a synced zone, so that queries are answered
    /// from the last known state until the source has listed everything again.
    /// </summary>
    private void LoadSnapshot()
    {
        if (_snapshot is null)
        {
            return;
        }
        if (ApplySnapshot(_snapshot))
        {
            // The decoded file is garbage now, spread over a heap that grew with the zone: compact once, as
            // after a first list (100k Services: RSS 177 MB before, measured in docs/performance.md).
            HeapCompaction.Compact(GCCollectionMode.Aggressive);
            if (_builder.Current.Synced)
            {
                _firstSync.TrySetResult();
            }
        }
        _snapshot.Start();
    }

    /// <summary>Applies and publishes a usable snapshot's objects; false when there is none.</summary>
    private bool ApplySnapshot(ClusterStateFile snapshot)
    {
        if (snapshot.TryLoad(_source.Kinds) is not { } changes)
        {
            return false;
        }
        _builder.ContinueSerialFrom(snapshot.LoadedSerial);
        int applied = 0;
        foreach (var change in changes)
        {
            if (change.Type == ChangeType.Upsert)
            {
                GetUnconfirmed(change.Kind).Add(change.Key);
            }
            _builder.Apply(change);
            if (++applied % SnapshotPublishEvery == 0)
            {
                // The builder holds each Service as an object until a publish composes its record: publishing
                // in steps keeps that to one step's worth (100k Services: peak 153 -> 106 MB, docs/performance.md).
                _builder.Publish();
                HeapCompaction.AfterBulkWork(SnapshotPublishEvery);
            }
        }
        _builder.Publish();
        return true;
    }

    /// <summary>
    /// A change from the source confirms (or removes) a snapshot object; once the source has listed a kind, the
    /// snapshot's objects of that kind it did not mention are gone from the cluster and are deleted.
    /// </summary>
    private void ConfirmSnapshotObjects(ClusterChange change)
    {
        if (_unconfirmed.Count == 0)
        {
            return;
        }
        if (change.Type != ChangeType.Synced)
        {
            if (_unconfirmed.TryGetValue(change.Kind, out var keys))
            {
                keys.Remove(change.Key);
            }
            return;
        }
        if (_unconfirmed.Remove(change.Kind, out var stale))
        {
            foreach (var key in stale)
            {
                _builder.Apply(ClusterChange.Delete(change.Kind, key, change.Version));
            }
        }
    }

    private HashSet<string> GetUnconfirmed(ResourceKind kind)
    {
        if (!_unconfirmed.TryGetValue(kind, out var keys))
        {
            keys = new HashSet<string>(StringComparer.Ordinal);
            _unconfirmed[kind] = keys;
        }
        return keys;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping is null)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is TimeoutException or OperationCanceledException)
        {
        }
        _stopping.Dispose();
        _stopping = null;
        if (_snapshot is not null)
        {
            // After the writer loop: what it scheduled last is written now, not lost.
            await _snapshot.StopAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 305, Level = LogLevel.Error, Message = "Could not build the records of {Owner}; it is left out of the zone")]
    private static partial void LogGenerateFailed(ILogger logger, Exception exception, string owner);

    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "The cluster source failed; restarting it while the last known zone keeps answering")]
    private static partial void LogSourceFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 301, Level = LogLevel.Error, Message = "Applying a {Kind} change ({Key}) failed; it was skipped")]
    private static partial void LogChangeFailed(ILogger logger, Exception exception, string kind, string key);

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "Cluster zone synced: {Names} names")]
    private static partial void LogSynced(ILogger logger, int names);
}
