using ClusterDns.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Options;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Building;

/// <summary>
/// The one rule for whether a namespace's names are served, as CoreDNS's <c>namespaceExposed</c> has it: the
/// <c>namespaces</c> list allows it, and the namespace exists and (with <c>namespace_labels</c>) its labels
/// match. The zone builder applies it to every owner (Services, pods, the namespace's own names); the query
/// path reads its verdict from the index, where an exposed namespace's <c>ns.svc.zone</c> and
/// <c>ns.pod.zone</c> exist and a hidden one's do not.
/// </summary>
public sealed class NamespaceExposure
{
    private readonly IReadOnlySet<string> _listed;
    private readonly LabelSelector? _selector;

    public NamespaceExposure(KubernetesOptions options)
    {
        _listed = options.Namespaces;
        _selector = options.NamespaceLabels is { } labels ? LabelSelector.Parse(labels) : null;
    }

    /// <summary>True when labels decide: a namespace's relabelling can show or hide everything in it.</summary>
    public bool SelectsByLabels => _selector is not null;

    /// <summary>
    /// Whether <paramref name="name"/> is exposed. <paramref name="namespaceObject"/> is the Namespace when known;
    /// <paramref name="exists"/> says whether the namespace exists at all (its object is known, or something
    /// in it is: a Service or a pod cannot live in a namespace that does not).
    /// </summary>
    public bool IsExposed(string name, NamespaceObject? namespaceObject, bool exists)
    {
        if (_listed.Count > 0 && !_listed.Contains(name))
        {
            return false;
        }
        if (_selector is not null)
        {
            return namespaceObject is not null && _selector.Matches(namespaceObject.Labels);
        }
        return exists;
    }
}
