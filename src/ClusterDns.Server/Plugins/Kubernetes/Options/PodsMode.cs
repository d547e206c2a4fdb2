using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Services;



namespace ClusterDns.Server.Plugins.Kubernetes.Options;

/// <summary>The <c>pods</c> option: how <c>a-b-c-d.ns.pod.zone</c> names are answered.</summary>
public enum PodsMode
{
    /// <summary>No pod records (CoreDNS's default).</summary>
    Disabled,
    /// <summary>Any well-formed dashed IP answers with that IP, without checking a pod exists (kube-dns compatible).</summary>
    Insecure,
    /// <summary>Only IPs of pods that exist in that namespace answer.</summary>
    Verified,
}
