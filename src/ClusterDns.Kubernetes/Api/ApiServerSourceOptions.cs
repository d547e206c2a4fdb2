namespace ClusterDns.Kubernetes;

/// <summary>Filters and timings of an <see cref="ApiServerSource"/>. The defaults suit production.</summary>
public sealed class ApiServerSourceOptions
{
    /// <summary>Label selector for services, endpointslices and pods (CoreDNS's <c>labels</c>), sent to the server.</summary>
    public string? LabelSelector { get; init; }

    /// <summary>Label selector for namespaces (CoreDNS's <c>namespace_labels</c>), sent to the server.</summary>
    public string? NamespaceLabelSelector { get; init; }

    /// <summary>
    /// Only these namespaces (CoreDNS's <c>namespaces</c>); empty means all. Filtered on the client, so one
    /// watch per kind serves any number of namespaces.
    /// </summary>
    public IReadOnlyCollection<string> Namespaces { get; init; } = [];

    public int PageSize { get; init; } = 500;

    /// <summary>Watches ask the server to end after this long to this long × 2 (random), then resume.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Time allowed for one list page.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
}
