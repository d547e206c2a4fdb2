namespace ClusterDns.Clients.Tests;

/// <summary>
/// The client test classes run one after another: each has its own namespace, upstream and server, and the
/// resolvers' single-attempt timing is asserted, so they should not compete for the two cores with each other.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PodNetworkCollection
{
    public const string Name = "pod network";
}
