namespace ClusterDns.Server.Telemetry;

/// <summary>The (server, zone, view, plugin) entries of one Corefile load's blocks that have <c>prometheus</c> (coredns_plugin_enabled).</summary>
public sealed class PluginEnabledRecords
{
    public List<(string Server, string Zone, string View, string Plugin)> Entries { get; } = new();
}
