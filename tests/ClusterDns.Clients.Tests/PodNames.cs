using ClusterDns.Protocol;

namespace ClusterDns.Clients.Tests;

/// <summary>The names a pod in namespace default asks, and the Service each one means.</summary>
internal static class PodNames
{
    /// <summary>Short, namespaced and full names; every one resolves for glibc and musl through the search list.</summary>
    public static TheoryData<string, string, string> ServiceNames => new()
    {
        { "web-service", "default", "web-service" },
        { "web-service.default", "default", "web-service" },
        { "web-service.default.svc", "default", "web-service" },
        { "web-service.default.svc.cluster.local", "default", "web-service" },
        { "kubernetes.default", "default", "kubernetes" },
        { "kubernetes.default.svc.cluster.local", "default", "kubernetes" },
        { "headless-service", "default", "headless-service" },
        { "dual-stack-service", "default", "dual-stack-service" },
        { "backend-api.production", "production", "backend-api" },
        { "backend-api.production.svc.cluster.local", "production", "backend-api" },
        { "kube-dns.kube-system", "kube-system", "kube-dns" },
    };

    /// <summary>An outside name the upstream holds (A and AAAA), and one nobody holds.</summary>
    public const string OutsideName = "www.example.org";

    public const string MissingName = "no-such-service";

    /// <summary>
    /// What a resolver applying ndots:5 sends for a name with fewer than five dots, each question exactly
    /// once when nothing is lost or retried: A and AAAA of every search suffix, then of the name itself.
    /// </summary>
    public static SentQuery[] SearchWalk(string name) =>
        Pod.SearchList.Select(suffix => $"{name}.{suffix}.").Append(name + ".")
            .SelectMany(n => (SentQuery[])[new(n, RecordType.A, false), new(n, RecordType.AAAA, false)])
            .ToArray();

    public static SentQuery[] Sorted(IEnumerable<SentQuery> queries) =>
        queries.OrderBy(q => q.Name, StringComparer.Ordinal).ThenBy(q => q.Type).ThenBy(q => q.OverTcp).ToArray();
}
