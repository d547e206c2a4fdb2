using ClusterDns.Corefile;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins.Secondary;

/// <summary>
/// <c>secondary [ZONES...] { transfer from ADDRESS...; fallthrough [ZONES...] }</c>, as CoreDNS's secondary plugin:
/// <c>transfer from</c> is required and may repeat (the primaries are tried in order); ADDRESS is an IP, IP:port or
/// [IPv6]:port, port 53 by default. CoreDNS's <c>catalog</c> (RFC 9432) is not implemented and is an error.
/// </summary>
public sealed class SecondarySetup : IPluginSetup
{
    public const int DefaultPort = 53;

    public string Name => "secondary";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        var options = Parse(directive, block.Zones);
        var logger = block.Context.LoggerFactory.CreateLogger("ClusterDns.Plugins.Secondary");
        var zones = options.Zones.Select(zone => new SecondaryZone(zone, options.Primaries)).ToArray();
        var metrics = new SecondaryMetrics(block.Context.Metrics);
        foreach (var zone in zones)
        {
            metrics.Register(zone);
        }
        var handler = new SecondaryHandler(zones, options.Fallthrough);
        block.AddHandler(handler);
        block.Context.Components.Add(new SecondaryRefresher(zones, logger));
        block.Context.Readiness.Add(handler);
    }

    internal static SecondaryOptions Parse(Directive directive, IReadOnlyList<Protocol.DnsName> blockZones)
    {
        var zones = ZoneArguments.OrBlock(directive.Args, 0, blockZones);
        var primaries = new List<System.Net.IPEndPoint>();
        IReadOnlyList<Protocol.DnsName>? fallthrough = null;
        foreach (var sub in directive.Block)
        {
            switch (sub.Name)
            {
                case "transfer":
                    if (sub.Args.Count == 0 || sub.Args[0].Text != "from")
                    {
                        throw sub.Error("'secondary': expected 'transfer from ADDRESS...' ('transfer to' is the transfer plugin's)");
                    }
                    if (sub.Args.Count == 1)
                    {
                        throw sub.Error("'secondary': 'transfer from' needs at least one address");
                    }
                    foreach (var token in sub.Args.Skip(1))
                    {
                        primaries.Add(ParsePrimary(token));
                    }
                    break;
                case "fallthrough":
                    fallthrough = ZoneArguments.Parse(sub.Args);
                    break;
                case "catalog":
                    throw sub.Error("'secondary': catalog zones (RFC 9432) are not supported");
                default:
                    throw directive.UnknownSubdirective(sub);
            }
        }
        if (primaries.Count == 0)
        {
            throw directive.Error("'secondary' needs 'transfer from ADDRESS...': secondary [ZONES...] { transfer from ADDRESS... }");
        }
        return new SecondaryOptions(zones, primaries) { Fallthrough = fallthrough };
    }

    private static System.Net.IPEndPoint ParsePrimary(Token token)
    {
        var endPoint = token.ParseIPEndPoint(DefaultPort);
        if (endPoint.Port == 0 || endPoint.Address.Equals(System.Net.IPAddress.Any) || endPoint.Address.Equals(System.Net.IPAddress.IPv6Any))
        {
            throw token.Error($"'secondary': '{token.Text}' is not a primary's address (expected an IP address, IP:port or [IPv6]:port)");
        }
        return endPoint;
    }
}
