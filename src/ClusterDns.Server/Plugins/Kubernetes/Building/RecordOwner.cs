using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Building;

/// <summary>What contributes records to stored names; the builder regenerates an owner's records as a whole.</summary>
public enum OwnerKind : byte
{
    /// <summary>The records at and near each apex (NS and its addresses, dns-version, the svc/pod subtrees).</summary>
    Apex,
    /// <summary>A namespace: <c>ns.svc.zone</c> and <c>ns.pod.zone</c> exist while it is exposed.</summary>
    Namespace,
    /// <summary>A Service: its record, and the PTR records of its addresses.</summary>
    Service,
}

/// <summary>One owner of records: its kind and its object key ("namespace/name", a namespace's name, or empty for the apex).</summary>
public readonly record struct RecordOwner(OwnerKind Kind, string Key)
{
    public static readonly RecordOwner Apex = new(OwnerKind.Apex, "");

    public static RecordOwner Namespace(string name) => new(OwnerKind.Namespace, name);

    public static RecordOwner Service(string key) => new(OwnerKind.Service, key);

    /// <summary>As log lines show it, e.g. "service default/web".</summary>
    public override string ToString() => Kind == OwnerKind.Apex ? "apex" : Kind.ToString().ToLowerInvariant() + " " + Key;
}
