namespace ClusterDns.Kubernetes;

/// <summary>
/// What a source remembers of an object it passed on: its resourceVersion and when it arrived (Unix
/// milliseconds; 8 bytes beside the version the informer keeps anyway), for <c>clusterdns explain</c>.
/// </summary>
public readonly record struct KnownObject(string ResourceVersion, long ReceivedAtUnixMs)
{
    public DateTimeOffset ReceivedAt => DateTimeOffset.FromUnixTimeMilliseconds(ReceivedAtUnixMs);

    public static KnownObject Now(string resourceVersion) => new(resourceVersion, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
}
