using ClusterDns.Corefile;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins.Metadata;

/// <summary>
/// <c>metadata [ZONES...]</c>, as CoreDNS's metadata: turns on the block's metadata for queries in ZONES (default:
/// the block's zones). The values come from the providers other plugins register; they are computed when read.
/// </summary>
public sealed class MetadataSetup : IPluginSetup
{
    public string Name => "metadata";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        if (block.MetadataZones is not null)
        {
            throw directive.Error("'metadata' may appear only once per server block");
        }
        if (directive.HasBlock && directive.Block.Count > 0)
        {
            var first = directive.Block[0];
            throw first.Error(first.Name == "map"
                ? "'metadata': 'map' is not part of CoreDNS 1.14's metadata plugin and is not supported"
                : $"'metadata': unknown property '{first.Name}'");
        }
        block.MetadataZones = ZoneArguments.OrBlock(directive.Args, 0, block.Zones);
    }
}
