using System.Net;

namespace ClusterDns.Server.Pipeline;

/// <summary>
/// What <c>autopath @PLUGIN</c> asks the plugin it names (CoreDNS's <c>AutoPather</c>): the namespace of the pod
/// that sent a query, found by the query's source address, and the zones whose names take the pod's search path.
/// The kubernetes plugin implements it from a compact address → namespace index kept under <c>pods verified</c>.
/// </summary>
public interface IAutopathSearch
{
    /// <summary>False when the plugin does not know pods (kubernetes without <c>pods verified</c>): autopath passes queries on.</summary>
    bool FindsPods { get; }

    /// <summary>The zones (lower-case wire form) whose names autopath may complete.</summary>
    IReadOnlyList<byte[]> SearchZones { get; }

    /// <summary>
    /// The namespace (one wire label, length byte first, lower-case) of the pod at <paramref name="client"/>; false
    /// when no running pod, or pods of more than one namespace (host network), hold that address.
    /// </summary>
    bool TryGetNamespace(SocketAddress client, out ReadOnlySpan<byte> namespaceLabel);
}
