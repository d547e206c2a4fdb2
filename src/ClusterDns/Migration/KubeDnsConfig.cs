namespace ClusterDns.Migration;

/// <summary>What a kube-dns ConfigMap configures: private zones with their own servers, and the upstream servers.</summary>
/// <param name="StubDomains">Each domain with its nameservers, in the ConfigMap's order.</param>
/// <param name="UpstreamNameservers">Servers for every other name; empty means the node's /etc/resolv.conf.</param>
internal sealed record KubeDnsConfig(IReadOnlyList<StubDomain> StubDomains, IReadOnlyList<string> UpstreamNameservers);

/// <summary>One kube-dns stub domain: queries under <paramref name="Domain"/> go to <paramref name="Nameservers"/>.</summary>
/// <param name="Domain">Canonical, lower-case, without the trailing dot ("acme.local").</param>
/// <param name="Nameservers">"IP" or "IP:PORT" ("[IPv6]:PORT"), as kube-dns accepts them.</param>
internal sealed record StubDomain(string Domain, IReadOnlyList<string> Nameservers);
