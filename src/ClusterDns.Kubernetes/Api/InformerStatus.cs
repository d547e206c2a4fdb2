using System.Diagnostics;

namespace ClusterDns.Kubernetes.Api;

/// <summary>Thread-safe sync, health and freshness state shared by the informers of one source.</summary>
internal sealed class InformerStatus
{
    private readonly Lock _gate = new();
    private readonly HashSet<ResourceKind> _synced = [];
    private readonly Dictionary<ResourceKind, string> _errors = [];
    private readonly HashSet<ResourceKind> _open = [];

    /// <summary>Stopwatch timestamps: since when each kind has had no open watch, and of its last event.</summary>
    private readonly Dictionary<ResourceKind, long> _downSince = [];
    private readonly Dictionary<ResourceKind, long> _lastEvent = [];
    private readonly IReadOnlyCollection<ResourceKind> _kinds;
    private readonly TaskCompletionSource _firstSync = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public InformerStatus(IReadOnlyCollection<ResourceKind> kinds)
    {
        _kinds = kinds;
        if (kinds.Count == 0) _firstSync.TrySetResult();
        var now = Stopwatch.GetTimestamp();
        foreach (var kind in kinds)
        {
            _downSince[kind] = now;
            _lastEvent[kind] = now;
        }
    }

    public Task FirstSync => _firstSync.Task;

    public string? LastError { get; private set; }

    public bool IsConnected
    {
        get
        {
            lock (_gate) return _errors.Count == 0;
        }
    }

    public bool IsSynced(ResourceKind kind)
    {
        lock (_gate) return _synced.Contains(kind);
    }

    /// <summary>True the first time only, so Synced is emitted once per kind.</summary>
    public bool MarkSynced(ResourceKind kind)
    {
        lock (_gate)
        {
            if (!_synced.Add(kind)) return false;
            if (_synced.IsSupersetOf(_kinds)) _firstSync.TrySetResult();
            return true;
        }
    }

    public void ReportError(ResourceKind kind, string error)
    {
        lock (_gate)
        {
            _errors[kind] = error;
            LastError = error;
        }
    }

    public void ReportHealthy(ResourceKind kind)
    {
        lock (_gate)
        {
            _errors.Remove(kind);
            if (_errors.Count == 0) LastError = null;
        }
    }

    /// <summary>The watch's response headers arrived: the kind is live again.</summary>
    public void ReportWatchOpen(ResourceKind kind)
    {
        lock (_gate) _open.Add(kind);
    }

    /// <summary>The watch ended (timeout, error, expiry): the kind is down from now until the next one opens.</summary>
    public void ReportWatchClosed(ResourceKind kind)
    {
        lock (_gate)
        {
            if (_open.Remove(kind)) _downSince[kind] = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>A list completed or a watch event (bookmarks included) arrived.</summary>
    public void ReportEvent(ResourceKind kind)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_gate) _lastEvent[kind] = now;
    }

    public WatchHealth Health(ResourceKind kind)
    {
        lock (_gate)
        {
            var open = _open.Contains(kind);
            var downFor = open || !_downSince.TryGetValue(kind, out var since) ? TimeSpan.Zero : Stopwatch.GetElapsedTime(since);
            var age = _lastEvent.TryGetValue(kind, out var last) ? Stopwatch.GetElapsedTime(last) : TimeSpan.Zero;
            return new WatchHealth(open, downFor, age, _errors.GetValueOrDefault(kind));
        }
    }
}
