namespace ClusterDns.Server.Plugins.Reload;

/// <summary><c>reload [INTERVAL [JITTER]]</c>: defaults 30s and 15s; interval at least 2s; jitter 0 or at least 1s, at most half the interval.</summary>
public sealed record ReloadOptions(TimeSpan Interval, TimeSpan Jitter)
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultJitter = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan MinJitter = TimeSpan.FromSeconds(1);
}
