namespace ClusterDns.Kubernetes.Api;

/// <summary>Exponential backoff with ±20% jitter, so replicas that lost the API server together do not return together.</summary>
internal sealed class Backoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _maximum;
    private TimeSpan _next;

    public Backoff(TimeSpan initial, TimeSpan maximum)
    {
        _initial = initial;
        _maximum = maximum;
        _next = initial;
    }

    public int Failures { get; private set; }

    public TimeSpan Next()
    {
        var delay = _next;
        _next = TimeSpan.FromTicks(Math.Min(_next.Ticks * 2, _maximum.Ticks));
        Failures++;
        return delay * (0.8 + (Random.Shared.NextDouble() * 0.4));
    }

    public void Reset()
    {
        _next = _initial;
        Failures = 0;
    }
}
