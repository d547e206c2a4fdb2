namespace ClusterDns.Server.Plugins.Forward;

/// <summary>The order in which upstreams are tried for one query.</summary>
internal enum ForwardPolicy
{
    /// <summary>A random order per query (CoreDNS's default).</summary>
    Random,
    /// <summary>Each query starts at the next upstream.</summary>
    RoundRobin,
    /// <summary>Always the listed order: the first healthy upstream takes every query.</summary>
    Sequential,
}
