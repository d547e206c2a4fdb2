using System.Text;
using ClusterDns.Migration;

namespace ClusterDns.NodeCache;

/// <summary>
/// Fills node-cache's Corefile template (the <c>node-local-dns</c> ConfigMap's Corefile) exactly as node-cache's
/// updateCorefile does: the upstream servers (the kube-dns ConfigMap's, over UDP, or the node's resolv.conf),
/// the central DNS Service's cluster IP, the local addresses, and one server block per stub domain at the end.
/// </summary>
internal static class CorefileTemplate
{
    public const string UpstreamServers = "__PILLAR__UPSTREAM__SERVERS__";
    public const string ClusterDns = "__PILLAR__CLUSTER__DNS__";
    public const string LocalDns = "__PILLAR__LOCAL__DNS__";
    public const string DnsServer = "__PILLAR__DNS__SERVER__";

    /// <summary>node-cache's text for the forward to the node's resolvers; replaced whole when the ConfigMap names upstreams.</summary>
    private const string UpstreamTcpBlock = "\n    forward . " + UpstreamServers + " {\n            force_tcp\n    }\n";

    private const string UpstreamUdpBlock = "\n    forward . " + UpstreamServers + "\n";

    /// <summary>The stub domains' cache, as node-cache writes it.</summary>
    private const int StubDomainCacheTtl = 30;

    /// <param name="template">The base Corefile.</param>
    /// <param name="config">The kube-dns ConfigMap's settings (empty when there is none).</param>
    /// <param name="clusterDnsIP">The upstream Service's cluster IP, or null when its environment variable is not set.</param>
    public static string Render(string template, KubeDnsConfig config, NodeCacheOptions options, string? clusterDnsIP)
    {
        string localIPs = string.Join(' ', options.LocalIPTexts);
        string upstreams = string.Join(' ', config.UpstreamNameservers);
        string text = template;
        if (upstreams.Length == 0)
        {
            text = text.Replace(UpstreamServers, options.ResolvConf, StringComparison.Ordinal);
        }
        else
        {
            // Custom upstreams are asked over UDP: a TCP forward to the node's resolvers becomes a plain one.
            text = text.Replace(UpstreamTcpBlock, UpstreamUdpBlock.Replace(UpstreamServers, upstreams, StringComparison.Ordinal), StringComparison.Ordinal)
                .Replace(UpstreamServers, upstreams, StringComparison.Ordinal);
        }
        // node-cache writes Go's "<nil>" here when the variable is missing; that Corefile cannot load either way.
        text = text.Replace(ClusterDns, clusterDnsIP ?? "<nil>", StringComparison.Ordinal)
            .Replace(LocalDns, localIPs, StringComparison.Ordinal)
            .Replace(DnsServer, string.Empty, StringComparison.Ordinal);

        var result = new StringBuilder(text);
        foreach (var stub in config.StubDomains)
        {
            result.Append('\n').Append(stub.Domain).Append(':').Append(options.LocalPort).Append(" {\n")
                .Append("    errors\n")
                .Append("    cache ").Append(StubDomainCacheTtl).Append('\n')
                .Append("    bind ").Append(localIPs).Append('\n')
                .Append("    forward . ").Append(string.Join(' ', stub.Nameservers)).Append('\n')
                .Append("}\n");
        }
        return result.ToString();
    }

    /// <summary>The environment variable Kubernetes sets to a Service's cluster IP: <c>kube-dns-upstream</c> → <c>KUBE_DNS_UPSTREAM_SERVICE_HOST</c>.</summary>
    public static string ServiceHostVariable(string serviceName) =>
        serviceName.Replace('-', '_').ToUpperInvariant() + "_SERVICE_HOST";
}
