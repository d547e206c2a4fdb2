namespace ClusterDns.Server.Config;

/// <summary>
/// Process-wide behaviour one Corefile load asks for: the <c>health</c> lameduck and the <c>reload</c> interval.
/// Plugins fill <see cref="ServerBuildContext.Lifecycle"/>; the host reads the running pipeline's copy.
/// </summary>
public sealed class LifecycleSettings
{
    /// <summary>How long queries are still answered after SIGTERM (the longest <c>lameduck</c> of any block).</summary>
    public TimeSpan Lameduck { get; set; }

    /// <summary>
    /// Set by the kubernetes plugin when the replica knows its own address (POD_IP): lameduck then ends
    /// <see cref="RotationGrace"/> after the address leaves the Service's endpoints, bounded by <see cref="Lameduck"/>.
    /// </summary>
    public IRotationSignal? Rotation { get; set; }

    /// <summary>How long queries are still answered after leaving rotation, for the change to reach every node's kube-proxy.</summary>
    public TimeSpan RotationGrace { get; set; } = DefaultRotationGrace;

    public static readonly TimeSpan DefaultRotationGrace = TimeSpan.FromSeconds(5);

    /// <summary>Null when the Corefile has no <c>reload</c>.</summary>
    public ReloadSchedule? Reload { get; set; }

    public static LifecycleSettings Of(ServerPipeline? pipeline) => pipeline?.Context.Lifecycle ?? new LifecycleSettings();
}

/// <summary>Check the Corefile every <see cref="Interval"/> ± <see cref="Jitter"/>.</summary>
public sealed record ReloadSchedule(TimeSpan Interval, TimeSpan Jitter)
{
    /// <summary>The next wait: uniformly random in [interval − jitter, interval + jitter].</summary>
    public TimeSpan NextDelay(Random random)
    {
        var jitterMs = Jitter.TotalMilliseconds;
        var offset = jitterMs <= 0 ? 0 : (random.NextDouble() * 2 - 1) * jitterMs;
        return Interval + TimeSpan.FromMilliseconds(offset);
    }
}
