using System.Net;
using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Config;

/// <summary>Builds a <see cref="ServerPipeline"/> from a parsed Corefile through the registered plugin setups.</summary>
public sealed class PipelineBuilder
{
    private readonly PluginRegistry _plugins;

    public PipelineBuilder(PluginRegistry plugins) => _plugins = plugins;

    /// <param name="portOverride">The <c>-dns.port</c> flag: the port for keys that name none (CoreDNS's default is 53).</param>
    public ServerPipeline Build(CorefileDocument document, ServerBuildContext context, int? portOverride = null)
    {
        var blocksByPort = new Dictionary<int, List<ServerBlockBuilder>>();
        foreach (var block in document.ServerBlocks)
        {
            // The port flag replaces only dns://'s default, as CoreDNS's -dns.port does; tls:// and https:// keep 853 and 443.
            foreach (var portGroup in block.Keys.GroupBy(k => k.Port ?? (k.Scheme == ZoneAddress.DnsScheme ? portOverride : null) ?? ZoneAddress.DefaultPortFor(k.Scheme)))
            {
                var zones = portGroup.Select(k => DnsName.Parse(k.Zone).ToLower()).Distinct().ToArray();
                var builder = new ServerBlockBuilder(block, zones, portGroup.Key, context, TransportOf(block, portGroup));
                foreach (var directive in block.Directives)
                {
                    Setup(directive, builder);
                }
                if (!blocksByPort.TryGetValue(portGroup.Key, out var list))
                {
                    blocksByPort[portGroup.Key] = list = new List<ServerBlockBuilder>();
                }
                list.Add(builder);
            }
        }

        var listeners = new List<ListenerGroup>();
        foreach (var (port, builders) in blocksByPort.OrderBy(p => p.Key))
        {
            ViewOverlapCheck.Check(builders);
            // A block without 'bind' listens everywhere, so the port does.
            IReadOnlyList<IPAddress> addresses = builders.Any(b => b.BindAddresses.Count == 0)
                ? []
                : builders.SelectMany(b => b.BindAddresses).Distinct().ToArray();
            var router = new ZoneRouter(builders.Select(b => b.Build()));
            foreach (var builder in builders)
            {
                builder.Resolver.Attach(router);
            }
            var transport = EncryptedPorts.TransportOf(port, builders);
            listeners.Add(new ListenerGroup(port, addresses, router, builders.Max(b => b.MaxUdpSize), builders.Max(b => b.SocketCount))
            {
                Tcp = TcpSettings.Merge(builders.Select(b => b.Tcp)),
                Transport = transport,
                Tls = EncryptedPorts.CredentialsOf(port, transport, builders),
                Https = EncryptedPorts.HttpsOf(builders),
            });
        }
        return new ServerPipeline(listeners, context, document.ContentHash);
    }

    private static ServerTransport TransportOf(ServerBlock block, IEnumerable<ZoneAddress> keys)
    {
        var schemes = keys.Select(k => k.Scheme).Distinct().ToArray();
        if (schemes.Length > 1)
        {
            throw new CorefileException(block.File, block.Line, $"keys of one port use different schemes ({string.Join(", ", schemes.Select(s => s + "://"))}); a port serves one transport");
        }
        return schemes[0] switch
        {
            ZoneAddress.TlsScheme => ServerTransport.Tls,
            ZoneAddress.HttpsScheme => ServerTransport.Https,
            _ => ServerTransport.Dns,
        };
    }

    private void Setup(Directive directive, ServerBlockBuilder builder)
    {
        if (_plugins.TryGet(directive.Name, out var setup))
        {
            setup.Setup(directive, builder);
            return;
        }
        throw PluginOrder.IsCoreDnsPlugin(directive.Name)
            ? directive.Error($"plugin '{directive.Name}' is a CoreDNS plugin that ClusterDns does not implement; see docs/migration.md")
            : directive.Error($"unknown directive '{directive.Name}'");
    }
}
