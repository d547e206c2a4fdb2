namespace ClusterDns.Server.Hosting;

/// <summary>
/// Process-wide behaviour one Corefile load asks for: the <c>health</c> lameduck and the <c>reload</c> interval.
/// Plugins fill it through <c>block.Context.GetOrAddShared(() =&gt; new LifecycleSettings())</c>; the host reads the
/// running pipeline's copy.
/// </summary>
public sealed class LifecycleSettings
{
    /// <summary>How long queries are still answered after SIGTERM (the longest <c>lameduck</c> of any block).</summary>
    public TimeSpan Lameduck { get; set; }

    /// <summary>Null when the Corefile has no <c>reload</c>.</summary>
    public ReloadSchedule? Reload { get; set; }

    public static LifecycleSettings Of(Config.ServerPipeline? pipeline) =>
        pipeline is not null && pipeline.Context.Shared.TryGetValue(typeof(LifecycleSettings), out var settings)
            ? (LifecycleSettings)settings
            : new LifecycleSettings();
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
