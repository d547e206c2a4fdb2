namespace ClusterDns.Server.Config;

/// <summary>
/// CoreDNS's fixed plugin order (plugin.cfg, as of 1.14.2: rewrite before acl, so a rewritten name cannot slip
/// past an acl written for it): handlers run in this order whatever the Corefile's order is.
/// </summary>
public static class PluginOrder
{
    public static readonly IReadOnlyList<string> Names =
    [
        "root", "metadata", "geoip", "cancel", "tls", "https", "timeouts", "multisocket", "reload", "nsid", "bufsize",
        "bind", "debug", "trace", "ready", "health", "pprof", "prometheus", "errors", "log", "dnstap", "local",
        "dns64", "rewrite", "acl", "shed", "any", "chaos", "loadbalance", "tsig", "cache", "header", "dnssec", "autopath",
        "minimal", "template", "transfer", "hosts", "route53", "azure", "clouddns", "k8s_external", "kubernetes",
        "file", "auto", "secondary", "etcd", "loop", "forward", "grpc", "erratic", "whoami", "on", "sign", "view",
    ];

    private static readonly Dictionary<string, int> Rank =
        Names.Select((name, index) => (name, index)).ToDictionary(p => p.name, p => p.index, StringComparer.Ordinal);

    public static bool IsCoreDnsPlugin(string name) => Rank.ContainsKey(name);

    public static int RankOf(string name) => Rank.TryGetValue(name, out int rank) ? rank : int.MaxValue;
}
