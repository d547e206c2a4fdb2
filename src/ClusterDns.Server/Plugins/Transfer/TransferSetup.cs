using System.Net;
using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins.Transfer;

/// <summary>
/// <c>transfer [ZONES...] { to ADDRESS... }</c>, as CoreDNS's transfer plugin: ADDRESS is <c>*</c>, an IP, IP:port,
/// [IPv6]:port or a CIDR network; <c>to</c> may repeat and is required. Several directives in one server block are
/// served by one handler (the longest zone wins), with one NOTIFY component.
/// </summary>
public sealed class TransferSetup : IPluginSetup
{
    public const int DefaultPort = 53;

    public string Name => "transfer";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        var rule = Parse(directive, block.Zones);
        foreach (var handler in block.Handlers)
        {
            if (handler is TransferHandler existing)
            {
                existing.Add(rule);
                return;
            }
        }
        var logger = block.Context.LoggerFactory.CreateLogger("ClusterDns.Plugins.Transfer");
        var created = new TransferHandler(rule, logger);
        block.AddHandler(created);
        block.Context.Components.Add(new TransferNotifier(created, logger));
    }

    internal static TransferRule Parse(Directive directive, IReadOnlyList<DnsName> blockZones)
    {
        var zones = ZoneArguments.OrBlock(directive.Args, 0, blockZones);
        var to = new List<TransferPeer>();
        foreach (var sub in directive.Block)
        {
            if (sub.Name != "to")
            {
                throw directive.UnknownSubdirective(sub);
            }
            if (sub.HasBlock)
            {
                throw sub.Error("'transfer': 'to' takes no block");
            }
            if (sub.Args.Count == 0)
            {
                throw sub.Error("'transfer': 'to' needs at least one address ('*' for every client)");
            }
            foreach (var token in sub.Args)
            {
                to.Add(ParsePeer(token));
            }
        }
        if (to.Count == 0)
        {
            throw directive.Error("'transfer' needs 'to' with at least one address ('*' for every client): transfer [ZONES...] { to ADDRESS... }");
        }
        return new TransferRule(zones, to);
    }

    /// <summary><c>*</c>, an address with an optional port (NOTIFY's destination, 53 by default), or a network.</summary>
    internal static TransferPeer ParsePeer(Token token)
    {
        string text = token.Text;
        if (text == "*")
        {
            return TransferPeer.Anyone;
        }
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            // Host bits must be clear: 10.1.2.3/8 is more likely a typo than a network.
            if (IPNetwork.TryParse(text, out var network) && IPAddress.TryParse(text.AsSpan(0, slash), out var given) && given.Equals(network.BaseAddress))
            {
                return new TransferPeer(null, 0, network);
            }
            throw token.Error($"'transfer': '{text}' is not a network (expected an address/prefix such as 10.0.0.0/8, host bits clear)");
        }
        if (IPAddress.TryParse(text, out var bare) && !text.StartsWith('['))
        {
            return new TransferPeer(bare, DefaultPort, null);
        }
        if (IPEndPoint.TryParse(text, out var endPoint) && (text.StartsWith('[') || endPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork))
        {
            // "[::1]" without a port parses with port 0: it means the default port.
            int port = text.EndsWith(']') ? DefaultPort : endPoint.Port;
            if (port == 0)
            {
                throw token.Error($"'transfer': '{text}' has port 0");
            }
            return new TransferPeer(endPoint.Address, port, null);
        }
        throw token.Error($"'transfer': '{text}' is not an address (expected '*', an IP address, IP:port, [IPv6]:port or a network)");
    }
}
