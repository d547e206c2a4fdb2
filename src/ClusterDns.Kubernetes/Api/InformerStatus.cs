namespace ClusterDns.Kubernetes.Api;

/// <summary>Thread-safe sync and health state shared by the informers of one source.</summary>
internal sealed class InformerStatus
{
    private readonly Lock _gate = new();
    private readonly HashSet<ResourceKind> _synced = [];
    private readonly Dictionary<ResourceKind, string> _errors = [];
    private readonly IReadOnlyCollection<ResourceKind> _kinds;
    private readonly TaskCompletionSource _firstSync = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public InformerStatus(IReadOnlyCollection<ResourceKind> kinds)
    {
        _kinds = kinds;
        if (kinds.Count == 0) _firstSync.TrySetResult();
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
}
