using System.Text;

namespace ClusterDns.Migration;

/// <summary>
/// Writes the Corefile that does what a kube-dns ConfigMap did: kubeadm's default server block (upstreams in
/// place of /etc/resolv.conf when the ConfigMap names them) and one server block per stub domain, laid out as
/// kubeadm lays out its own translation, so operators see the Corefile they would have got from kubeadm.
/// </summary>
internal static class KubeDnsCorefileWriter
{
    public static string Write(KubeDnsConfig config, string clusterDomain)
    {
        string upstream = config.UpstreamNameservers.Count == 0 ? "/etc/resolv.conf" : string.Join(' ', config.UpstreamNameservers);
        var text = new StringBuilder();
        text.Append($$"""
            .:53 {
                errors
                health {
                   lameduck 5s
                }
                ready
                kubernetes {{clusterDomain}} in-addr.arpa ip6.arpa {
                   pods insecure
                   fallthrough in-addr.arpa ip6.arpa
                   ttl 30
                }
                prometheus :9153
                forward . {{upstream}} {
                   max_concurrent 1000
                }
                cache 30 {
                   disable success {{clusterDomain}}
                   disable denial {{clusterDomain}}
                }
                loop
                reload
                loadbalance
            }

            """);
        foreach (var stub in config.StubDomains)
        {
            text.Append($$"""
                {{stub.Domain}}:53 {
                    errors
                    cache 30
                    loop
                    forward . {{string.Join(' ', stub.Nameservers)}}
                }

                """);
        }
        return text.ToString();
    }
}
