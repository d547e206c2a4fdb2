namespace ClusterDns.Server.Config;

/// <summary>
/// Whether the process is shutting down (SIGTERM received, lameduck running). One per process: the host seeds
/// it into every Corefile load; <c>health</c> answers 503 and <c>ready</c> 503 from the moment it is set.
/// </summary>
public sealed class ShutdownState
{
    private int _shuttingDown;

    public bool IsShuttingDown => Volatile.Read(ref _shuttingDown) != 0;

    /// <summary>Marks the start of shutdown; returns false if it had already started.</summary>
    public bool Begin() => Interlocked.Exchange(ref _shuttingDown, 1) == 0;

    /// <summary>Queries received after the replica left rotation and the grace passed.</summary>
    public Pipeline.LateQueryCounter LateQueries { get; } = new();
}
